// Keyset-pagination cursors: opaque to clients (base64url JSON), checked when they come back.
import { AppError } from './errors.ts';
import { badString, dateInRange } from './input-policy.ts';

export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The cursor's value, or INVALID_CURSOR (400) on `cursor` when it is not one this server could have given out: a
 * forged or tampered cursor must never reach a query with a value PostgreSQL refuses (a 500).
 */
export function decodeCursor<T>(cursor: string, valid: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (valid(value)) return value;
  } catch {}
  throw new AppError('INVALID_CURSOR', undefined, { field: 'cursor' });
}

/** An id as this server writes them: short, printable, no NUL (a forged one would otherwise reach PostgreSQL). */
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64 && !badString(v);

/** A timestamp this server wrote (toISOString), inside the range PostgreSQL stores. */
const isTimestamp = (v: unknown): v is string => {
  if (typeof v !== 'string' || v.length > 30) return false;
  const ms = Date.parse(v);
  return !Number.isNaN(ms) && dateInRange(new Date(ms));
};

/** A cursor over (timestamp, id): rows with equal timestamps still page in a stable order. */
export const isTimeIdCursor = (v: unknown): v is { t: string; id: string } =>
  isTimestamp((v as { t?: unknown })?.t) && isId((v as { id?: unknown })?.id);

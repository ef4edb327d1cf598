// Keyset-pagination cursors: opaque to clients (base64url JSON), checked when they come back.
import { AppError } from './errors.ts';

export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The cursor's value, or a validation error on `cursor` when it is not one this server gave out. */
export function decodeCursor<T>(cursor: string, valid: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (valid(value)) return value;
  } catch {}
  throw new AppError('VALIDATION_FAILED', 'cursor is not one this server gave out', { field: 'cursor' });
}

/** A cursor over (timestamp, id): rows with equal timestamps still page in a stable order. */
export const isTimeIdCursor = (v: unknown): v is { t: string; id: string } =>
  typeof (v as { t?: unknown })?.t === 'string' &&
  !Number.isNaN(Date.parse((v as { t: string }).t)) &&
  typeof (v as { id?: unknown })?.id === 'string';

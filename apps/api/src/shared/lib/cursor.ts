// Keyset-pagination cursors: opaque to clients (base64url JSON and a MAC over it), checked when they come back.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors.ts';
import { badString, dateInRange } from './input-policy.ts';

/**
 * The MAC key: derived from AUTH_SECRET by app.ts (setCursorSecret), so every server of a deployment and every
 * restart accepts the cursors of the others; a random one until then (createCaller tests build no app).
 */
let key: Buffer = randomBytes(32);

export function setCursorSecret(secret: string): void {
  key = createHmac('sha256', secret).update('parley cursor v1').digest();
}

/** 16 bytes of HMAC-SHA256: enough that a client cannot forge or alter a cursor, short enough for a URL. */
const mac = (payload: string) => createHmac('sha256', key).update(payload).digest().subarray(0, 16);

export function encodeCursor(value: object): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${mac(payload).toString('base64url')}`;
}

/**
 * The cursor's value, or INVALID_CURSOR (400) on `cursor` when this server did not give it out: a forged or
 * altered cursor fails its MAC, and the value is checked too (a bad one reaching a query was a 500).
 */
export function decodeCursor<T>(cursor: string, valid: (value: unknown) => value is T): T {
  try {
    const [payload = '', tag = ''] = cursor.split('.');
    const expected = mac(payload);
    const given = Buffer.from(tag, 'base64url');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (valid(value)) return value;
    }
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

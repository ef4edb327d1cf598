// The crypto half of the paging kit (paging.ts): a cursor is base64url JSON and a MAC over it and its kind, opaque
// to clients and checked when it comes back. Only paging.ts calls these; lists use its cursor kinds.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors.ts';

/**
 * The MAC key: derived from AUTH_SECRET by app.ts (setCursorSecret), so every server of a deployment and every
 * restart accepts the cursors of the others; a random one until then (createCaller tests build no app).
 */
let key: Buffer = randomBytes(32);

export function setCursorSecret(secret: string): void {
  key = createHmac('sha256', secret).update('parley cursor v1').digest();
}

/**
 * 16 bytes of HMAC-SHA256 over the kind and the payload: enough that a client cannot forge or alter a cursor, short
 * enough for a URL; and a cursor of one list is refused by another (the kind is a name without dots).
 */
const mac = (kind: string, payload: string) =>
  createHmac('sha256', key).update(`${kind}.${payload}`).digest().subarray(0, 16);

export function signCursor(kind: string, value: unknown): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${mac(kind, payload).toString('base64url')}`;
}

/** INVALID_CURSOR (400) on `cursor`: the client sent a cursor this server did not give out for this list. */
export const invalidCursor = () => new AppError('INVALID_CURSOR', undefined, { field: 'cursor' });

/**
 * The cursor's value, unchecked (paging.ts checks it against its kind), or INVALID_CURSOR when this server did not
 * sign it for this kind: a forged or altered cursor, or another list's, fails its MAC.
 */
export function openCursor(kind: string, cursor: string): unknown {
  try {
    const [payload = '', tag = '', ...rest] = cursor.split('.');
    const expected = mac(kind, payload);
    const given = Buffer.from(tag, 'base64url');
    if (rest.length === 0 && given.length === expected.length && timingSafeEqual(given, expected)) {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    }
  } catch {}
  throw invalidCursor();
}

// Who is calling: the request's Better Auth session cookie or API key, resolved with one prepared, indexed query and
// no cache, so a revoked session or key, a signed-out session, a deleted user or a changed role counts on the very
// next request, on every server. Better Auth still issues sessions and keys; this only reads them. Its own
// getSession costs ~2.25 ms of CPU per call here (relational query building and its internals) against ~0.17 ms for
// this lookup. A session due for its daily refresh is handed to Better Auth, which extends it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import { apikey, session, user } from './db/schema/index.ts';
import type { HeaderReader } from './lib/headers.ts';

export interface LookupUser {
  id: string;
  email: string;
  name: string;
  image: string | null;
  role: string;
  createdAt: Date;
}

export interface Found {
  user: LookupUser;
  session: { id: string; expiresAt: Date };
  via: 'cookie' | 'apiKey';
}

/** Why a credential was refused in a way the caller must hear about (a plain unknown key is just "signed out"). */
export class CredentialError extends Error {
  override name = 'CredentialError';
  readonly reason: 'invalid-key' | 'rate-limited';
  constructor(reason: 'invalid-key' | 'rate-limited') {
    super(reason === 'rate-limited' ? 'This API key made too many requests' : 'The API key is invalid');
    this.reason = reason;
  }
}

export interface SessionLookupOptions {
  db: Db;
  secret: string;
  /** The session cookie's name (Better Auth's, `__Secure-` prefixed on https). */
  cookieName: string;
  /** Better Auth's session.expiresIn and updateAge, in seconds: when a session is due for its refresh. */
  expiresInSeconds: number;
  updateAgeSeconds: number;
  apiKeyRateLimitPerMinute: number;
  /** Better Auth's own lookup, for a session due for its refresh (it extends the session in the database). */
  refresh(cookieHeader: string): Promise<Omit<Found, 'via'> | null>;
}

const userColumns = {
  id: user.id,
  email: user.email,
  name: user.name,
  image: user.image,
  role: user.role,
  createdAt: user.createdAt,
};

const API_KEY_HEADER = 'x-api-key';
const LAST_USED_EVERY_MS = 60_000;

export function createSessionLookup(options: SessionLookupOptions) {
  const { db } = options;
  const byToken = db
    .select({ sessionId: session.id, expiresAt: session.expiresAt, ...userColumns })
    .from(session)
    .innerJoin(user, eq(user.id, session.userId))
    .where(eq(session.token, sql.placeholder('token')))
    .prepare('parley_session_by_token');
  const byKeyHash = db
    .select({
      keyId: apikey.id,
      enabled: apikey.enabled,
      keyExpiresAt: apikey.expiresAt,
      remaining: apikey.remaining,
      lastRequest: apikey.lastRequest,
      ...userColumns,
    })
    .from(apikey)
    .innerJoin(user, eq(user.id, apikey.referenceId))
    .where(eq(apikey.key, sql.placeholder('hash')))
    .prepare('parley_api_key_by_hash');
  const limiter = createKeyLimiter(options.apiKeyRateLimitPerMinute);
  const lastUsedWritten = new Map<string, number>();

  async function fromCookie(cookieHeader: string): Promise<Found | null> {
    const token = verifiedToken(readCookie(cookieHeader, options.cookieName), options.secret);
    if (!token) return null;
    const [row] = await byToken.execute({ token });
    if (!row) return null;
    const now = Date.now();
    if (row.expiresAt.getTime() <= now) return null;
    const refreshAt = row.expiresAt.getTime() - (options.expiresInSeconds - options.updateAgeSeconds) * 1000;
    if (now >= refreshAt) {
      const refreshed = await options.refresh(cookieHeader);
      return refreshed ? { ...refreshed, via: 'cookie' } : null;
    }
    const { sessionId, expiresAt, ...found } = row;
    return { user: found, session: { id: sessionId, expiresAt }, via: 'cookie' };
  }

  async function fromApiKey(key: string): Promise<Found> {
    const [row] = await byKeyHash.execute({ hash: hashApiKey(key) });
    const now = Date.now();
    if (!row || row.enabled === false || (row.keyExpiresAt && row.keyExpiresAt.getTime() <= now)) {
      throw new CredentialError('invalid-key');
    }
    if (row.remaining === 0) throw new CredentialError('invalid-key');
    if (!limiter.take(row.keyId, now)) throw new CredentialError('rate-limited');
    noteLastUsed(row.keyId, row.lastRequest, now);
    const { keyId, enabled, keyExpiresAt, remaining, lastRequest, ...found } = row;
    // A key's "session" is the key itself: it lasts as long as the key does.
    return {
      user: found,
      session: { id: keyId, expiresAt: keyExpiresAt ?? new Date(now + 365 * 86_400_000) },
      via: 'apiKey',
    };
  }

  /** lastUsedAt for the key list: written at most once a minute per key, off the request's path. */
  function noteLastUsed(keyId: string, stored: Date | null, now: number) {
    const last = Math.max(stored?.getTime() ?? 0, lastUsedWritten.get(keyId) ?? 0);
    if (now - last < LAST_USED_EVERY_MS) return;
    lastUsedWritten.set(keyId, now);
    if (lastUsedWritten.size > 10_000) lastUsedWritten.clear();
    db.update(apikey)
      .set({ lastRequest: new Date(now) })
      .where(eq(apikey.id, keyId))
      .then(
        () => {},
        () => lastUsedWritten.delete(keyId),
      );
  }

  return {
    /**
     * The session cookie first, then the x-api-key header (API.md's order): a browser's cookie is not overridden by
     * a stray key, and a script's key still works when a cookie is stale. Null when neither names anyone; a bad or
     * over-limit API key throws CredentialError.
     */
    async resolve(headers: HeaderReader): Promise<Found | null> {
      const cookie = headers.get('cookie');
      if (cookie) {
        const found = await fromCookie(cookie);
        if (found) return found;
      }
      const key = headers.get(API_KEY_HEADER);
      return key ? fromApiKey(key) : null;
    },
  };
}

export type SessionLookup = ReturnType<typeof createSessionLookup>;

/** The value of one cookie in a Cookie header, URL-decoded, or null. */
export function readCookie(header: string, name: string): string | null {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

/** Better Auth signs its session cookie as `<token>.<base64 HMAC-SHA256(token)>` (better-call's signCookieValue). */
export function verifiedToken(value: string | null, secret: string): string | null {
  if (!value) return null;
  const dot = value.lastIndexOf('.');
  if (dot < 1) return null;
  const token = value.slice(0, dot);
  const signature = Buffer.from(value.slice(dot + 1), 'base64');
  const expected = createHmac('sha256', secret).update(token).digest();
  return signature.length === expected.length && timingSafeEqual(signature, expected) ? token : null;
}

/** The API-key plugin stores SHA-256 of the key, base64url without padding (its defaultKeyHasher). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/**
 * Requests per API key per minute, counted in this process (fixed windows). Better Auth counted them in the key's row,
 * a write on every request; with several servers the count moves to Redis.
 */
function createKeyLimiter(perMinute: number) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(keyId: string, now: number): boolean {
      let window = windows.get(keyId);
      if (!window || now - window.start >= 60_000) {
        if (windows.size > 10_000) windows.clear();
        window = { start: now, count: 0 };
        windows.set(keyId, window);
      }
      window.count++;
      return window.count <= perMinute;
    },
  };
}

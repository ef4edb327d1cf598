// Session management for the signed-in user.
import type { Auth } from '../../shared/auth.ts';
import type { Db } from '../../shared/db/client.ts';
import { AppError } from '../../shared/lib/errors.ts';
import type { SessionInfo, SessionUser } from '../../shared/trpc.ts';
import * as repository from './repository.ts';

export interface CurrentSession {
  user: SessionUser | null;
  session: SessionInfo | null;
}

export function getSession({ user, session }: CurrentSession) {
  return user && session ? { user, session: { id: session.id, expiresAt: session.expiresAt } } : null;
}

export interface SessionScope {
  db: Db;
  userId: string;
  currentSessionId: string;
}

export async function listSessions({ db, userId, currentSessionId }: SessionScope) {
  const rows = await repository.findActiveSessions(db, userId, new Date());
  return rows.map((row) => ({ ...row, current: row.id === currentSessionId }));
}

export interface RevokeSessionOptions {
  db: Db;
  userId: string;
  sessionId: string;
}

export async function revokeSession({ db, userId, sessionId }: RevokeSessionOptions) {
  const deleted = await repository.deleteSession(db, userId, sessionId);
  // Another user's session id reads exactly like one that does not exist.
  if (deleted === 0) throw new AppError('SESSION_NOT_FOUND');
  return { revoked: true as const };
}

export async function revokeOtherSessions({ db, userId, currentSessionId }: SessionScope) {
  return { revoked: await repository.deleteOtherSessions(db, userId, currentSessionId) };
}

export function listApiKeys({ db, userId }: { db: Db; userId: string }) {
  return repository.findApiKeys(db, userId);
}

export interface CreateApiKeyOptions {
  auth: Auth;
  userId: string;
  name: string;
  expiresInDays: number | undefined;
}

/** Creates a key through Better Auth's API-key plugin (it generates and hashes it); the key is returned this once. */
export async function createApiKey({ auth, userId, name, expiresInDays }: CreateApiKeyOptions) {
  const created = await auth.api.createApiKey({
    body: { name, userId, ...(expiresInDays ? { expiresIn: expiresInDays * 86_400 } : {}) },
  });
  return {
    id: created.id,
    name: created.name ?? null,
    key: created.key,
    start: created.start ?? null,
    createdAt: new Date(created.createdAt),
    expiresAt: created.expiresAt ? new Date(created.expiresAt) : null,
  };
}

export async function revokeApiKey({ db, userId, id }: { db: Db; userId: string; id: string }) {
  if (!(await repository.deleteApiKey(db, userId, id))) throw new AppError('API_KEY_NOT_FOUND');
  return { revoked: true as const };
}

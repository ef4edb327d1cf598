// Session management for the signed-in user.
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

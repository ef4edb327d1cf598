// Builds the tRPC context of one request from its headers: the Better Auth session, looked up once.
import type { FastifyBaseLogger } from 'fastify';
import type { ChatRuntime } from '../modules/chat/index.ts';
import type { Outbound } from '../modules/providers/index.ts';
import type { Auth } from './auth.ts';
import type { Db } from './db/client.ts';
import type { Config } from './lib/env.ts';
import type { Context, SessionUser } from './trpc.ts';

export interface ContextDeps {
  auth: Auth;
  db: Db;
  config: Config;
  outbound: Outbound;
  chat: ChatRuntime;
}

export interface RequestInfo {
  headers: Headers;
  requestId: string;
  log: FastifyBaseLogger;
}

export function createContextBuilder({ auth, db, config, outbound, chat }: ContextDeps) {
  return async function buildContext({ headers, requestId, log }: RequestInfo): Promise<Context> {
    const base = { requestId, log, db, auth, config, outbound, chat, user: null, session: null };
    try {
      const found = await auth.api.getSession({ headers });
      if (!found) return base;
      return {
        ...base,
        user: toSessionUser(found.user),
        session: { id: found.session.id, expiresAt: found.session.expiresAt },
      };
    } catch (error) {
      // Thrown again inside the procedure, where the error carries this request's id.
      return { ...base, contextError: error };
    }
  };
}

function toSessionUser(user: {
  id: string;
  email: string;
  name: string;
  image?: string | null;
  role?: string | null;
  createdAt: Date;
}): SessionUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    image: user.image ?? null,
    role: user.role === 'admin' ? 'admin' : 'user',
    createdAt: user.createdAt,
  };
}

// tRPC at /trpc through the official Fastify adapter: superjson, bounded batches, context from the session.
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AppRouter, appRouter } from '../../router.ts';
import type { Auth } from '../auth.ts';
import type { Db } from '../db/client.ts';
import type { Config } from '../lib/env.ts';
import { toFetchHeaders } from '../lib/headers.ts';
import type { Context, SessionUser } from '../trpc.ts';

export interface TrpcPluginOptions {
  auth: Auth;
  db: Db;
  config: Config;
}

export async function trpcPlugin(app: FastifyInstance, { auth, db, config }: TrpcPluginOptions) {
  async function createContext({ req }: { req: FastifyRequest }): Promise<Context> {
    const base = { requestId: req.id, log: req.log, db, auth, config, user: null, session: null };
    try {
      const found = await auth.api.getSession({ headers: toFetchHeaders(req.headers) });
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
  }

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext,
      maxBatchSize: config.trpcMaxBatchSize,
      onError({ error, path, type, req }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          req.log.error({ err: error.cause ?? error, path, type }, 'procedure failed');
        } else {
          req.log.info({ path, type, code: error.code }, 'procedure rejected the call');
        }
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });
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

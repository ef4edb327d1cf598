// tRPC at /trpc through the official Fastify adapter: superjson, bounded batches, context from the session.

import type { TRPCError } from '@trpc/server';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AppRouter, appRouter } from '../../router.ts';
import { type ContextDeps, createContextBuilder } from '../context.ts';
import { headerReader } from '../lib/headers.ts';
import { fastQueriesHook } from './trpc-fast-queries.ts';

export async function trpcPlugin(app: FastifyInstance, deps: ContextDeps) {
  const buildContext = createContextBuilder(deps);
  const logError = (req: FastifyRequest, error: TRPCError, path: string | undefined, type: string) => {
    if (error.code === 'INTERNAL_SERVER_ERROR')
      req.log.error({ err: error.cause ?? error, path, type }, 'procedure failed');
    else req.log.info({ path, type, code: error.code }, 'procedure rejected the call');
  };
  app.addHook(
    'preHandler',
    fastQueriesHook({
      buildContext: (req) =>
        buildContext({ headers: headerReader(req.headers), requestId: req.id, log: req.log, method: req.method }),
      maxBatchSize: deps.config.trpcMaxBatchSize,
      onError: ({ error, path, request }) => logError(request, error, path, 'query'),
    }),
  );
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }) =>
        buildContext({ headers: headerReader(req.headers), requestId: req.id, log: req.log, method: req.method }),
      maxBatchSize: deps.config.trpcMaxBatchSize,
      onError: ({ error, path, type, req }) => logError(req, error, path, type),
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });
}

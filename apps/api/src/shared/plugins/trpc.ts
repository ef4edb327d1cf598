// tRPC at /trpc through the official Fastify adapter: superjson, bounded batches, context from the session.
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyInstance } from 'fastify';
import { type AppRouter, appRouter } from '../../router.ts';
import { type ContextDeps, createContextBuilder } from '../context.ts';
import { toFetchHeaders } from '../lib/headers.ts';

export async function trpcPlugin(app: FastifyInstance, deps: ContextDeps) {
  const buildContext = createContextBuilder(deps);
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }) =>
        buildContext({ headers: toFetchHeaders(req.headers), requestId: req.id, log: req.log, method: req.method }),
      maxBatchSize: deps.config.trpcMaxBatchSize,
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

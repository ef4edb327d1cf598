// tRPC at /trpc through the official Fastify adapter: superjson, bounded batches, context from the session.

import type { TRPCError } from '@trpc/server';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AppRouter, appRouter } from '../../router.ts';
import { type ContextDeps, createRequestContext } from '../context.ts';
import { databaseCauseCode } from '../lib/errors.ts';
import { fastQueriesHook } from './trpc-fast-queries.ts';

export async function trpcPlugin(app: FastifyInstance, deps: ContextDeps) {
  const contextFor = createRequestContext(deps);
  const logError = (req: FastifyRequest, error: TRPCError, path: string | undefined, type: string) => {
    if (error.code === 'INTERNAL_SERVER_ERROR')
      req.log.error({ err: error.cause ?? error, path, type }, 'procedure failed');
    // An outage is worth a line of its own (an operator looks for it), with the driver's code and no detail.
    else if (error.code === 'SERVICE_UNAVAILABLE')
      req.log.warn({ path, type, cause: databaseCauseCode(error) }, 'the database does not answer');
    // A refused call is already in the request's line (its status); the code is there for debugging.
    else req.log.debug({ path, type, code: error.code }, 'procedure rejected the call');
  };
  // TRPC_FAST_PATH=false leaves every call to the official adapter (the fast path must answer byte for byte the
  // same: test/trpc-fast-path.test.ts).
  if (deps.config.trpcFastPath) {
    app.addHook(
      'preHandler',
      fastQueriesHook({
        buildContext: contextFor,
        maxBatchSize: deps.config.trpcMaxBatchSize,
        onError: ({ error, path, request }) => logError(request, error, path, 'query'),
      }),
    );
  }
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }) => contextFor(req),
      maxBatchSize: deps.config.trpcMaxBatchSize,
      onError: ({ error, path, type, req }) => logError(req, error, path, type),
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });
}

// buildApp(config): a Fastify instance with every plugin registered and migrations applied. Nothing listens.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { gatewayPlugin } from './modules/gateway/index.ts';
import { exportRoutePlugin } from './modules/users/index.ts';
import { createServices } from './services.ts';
import type { Database } from './shared/db/client.ts';
import type { Config } from './shared/lib/env.ts';
import { AppError, databaseCauseCode, ERROR_CODES, RETRY_AFTER_SECONDS, toAppError } from './shared/lib/errors.ts';
import { loggerOptions } from './shared/lib/logger.ts';
import { authPlugin } from './shared/plugins/auth.ts';
import { healthPlugin } from './shared/plugins/health.ts';
import { addInputPolicy } from './shared/plugins/input-policy.ts';
import { metricsPlugin } from './shared/plugins/metrics.ts';
import { rateLimitPlugin } from './shared/plugins/rate-limit.ts';
import { addRequestLogging, RequestLogController } from './shared/plugins/request-log.ts';
import { restPlugin } from './shared/plugins/rest.ts';
import { securityPlugin } from './shared/plugins/security.ts';
import { trpcPlugin } from './shared/plugins/trpc.ts';
import { webAppPlugin } from './shared/plugins/web-app.ts';

export interface AppDeps {
  /** An open database to use instead of the one the config names (tests). The app closes it on close. */
  database?: Database;
  /** Where log lines go instead of stdout (tests capture them). */
  logStream?: DestinationStream;
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: await loggerOptions({ level: config.logLevel, env: config.env, stream: deps.logStream }),
    // Fastify's own lines (two per request, every header) cost more than a small request itself: one line of our own.
    logController: new RequestLogController(config.logLevel),
    genReqId: () => randomUUID(),
    bodyLimit: config.bodyLimitBytes,
    // Bounded waits on clients: the whole request (a body sent a byte a minute is cut off with 408), the headers,
    // and a silent connection. Node checks request timeouts every connectionsCheckingInterval (30 s by default).
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    http: {
      headersTimeout: Math.min(10_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1_000, config.requestTimeoutMs),
    },
    trustProxy: config.trustProxy,
    // Batched tRPC calls put every procedure name in the path.
    routerOptions: { maxParamLength: 5_000 },
  });
  for (const warning of config.warnings) app.log.warn(warning);
  addRequestLogging(app);
  addInputPolicy(app);
  const services = await createServices(config, { log: app.log, database: deps.database }).catch(async (error) => {
    await app.close();
    throw error;
  });
  const { auth, sessions, outbound, replies, database, metrics } = services;
  // Before the server waits for in-flight requests: live replies finish (within REPLY_DRAIN_MS) or are closed, so
  // their followers' streams end too. The services close last.
  app.addHook('preClose', async () => {
    closing = true;
    await replies.close();
  });
  app.addHook('onClose', async () => {
    await services.close();
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    // Every 503 (database down: tRPC, REST, Better Auth, /ready) tells the client when to try again. The tRPC
    // adapter sends a Fetch Response, whose status Fastify applies only after this hook.
    const status = payload instanceof Response ? payload.status : reply.statusCode;
    if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', RETRY_AFTER_SECONDS);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (toAppError(error) instanceof AppError && (toAppError(error) as AppError).code === 'SERVICE_UNAVAILABLE') {
      // The cause's code only: a failed query's error quotes the query and its parameters (the user's input).
      request.log.warn({ cause: databaseCauseCode(error) }, 'the database does not answer');
      return reply.code(503).send({
        error: 'Service Unavailable',
        code: 'SERVICE_UNAVAILABLE',
        message: ERROR_CODES.SERVICE_UNAVAILABLE.message,
        requestId: request.id,
      });
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply
        .code(500)
        .send({ error: 'Internal Server Error', message: 'Internal server error', requestId: request.id });
    }
    return reply
      .code(status)
      .send({ error: error.name, code: error.code, message: error.message, requestId: request.id });
  });

  // Node reaps idle keep-alive sockets once, when closing starts; a response still being written then (a compressed
  // file a client reads slowly) leaves its socket open and idle afterwards, and the close waits for it until the
  // shutdown timeout. Each response that ends during the close reaps them again.
  let closing = false;
  app.addHook('onResponse', async () => {
    if (closing) setImmediate(() => app.server.closeIdleConnections());
  });

  await app.register(securityPlugin, { config });
  await app.register(metricsPlugin, { metrics, token: config.metricsToken, production: config.env === 'production' });
  await app.register(rateLimitPlugin, { config, redis: services.redis, sessions });
  await app.register(healthPlugin, { database });
  await app.register(authPlugin, { auth, publicUrl: config.publicUrl });
  await app.register(trpcPlugin, { auth, sessions, db: database.db, config, outbound, replies });
  await app.register(restPlugin, { auth, sessions, db: database.db, config, outbound, replies });
  await app.register(exportRoutePlugin, { auth, sessions, db: database.db, config, outbound, replies });
  await app.register(gatewayPlugin, { auth, sessions, db: database.db, config, outbound, replies });
  if (config.webDistDir) await app.register(webAppPlugin, { root: config.webDistDir });
  return app;
}

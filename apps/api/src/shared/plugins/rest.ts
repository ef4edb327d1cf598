// Plain JSON over HTTP for callers outside TypeScript: the same procedures, validation and auth as /trpc, at
// /api/v1/… (trpc-to-openapi), the generated OpenAPI document at /openapi.json, and Swagger UI at /docs
// (@fastify/swagger-ui, its assets served from the package: no CDN, and no inline script for the CSP to allow).
// trpc-to-openapi and the document are loaded on the first request that needs them, not at start (P5: start-up).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { OpenAPIObject } from 'trpc-to-openapi';
import { appRouter } from '../../router.ts';
import { type ContextDeps, createRequestContext } from '../context.ts';
import { REST_BASE_PATH } from '../rest-base-path.ts';

/** Swagger UI's files, found from our source file's URL (the server bundle keeps it): the plugin's own default
 * is found through __dirname, which an ES module bundle does not have. */
const SWAGGER_UI_STATIC = join(
  dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui/package.json')),
  'static',
);

export async function restPlugin(app: FastifyInstance, deps: ContextDeps) {
  const contextOf = createRequestContext(deps);
  // Built once, on first request: the document only changes with the code.
  let document: Promise<OpenAPIObject> | undefined;
  const openApiDocument = () => {
    document ??= import('../openapi.ts').then(({ createOpenApiDocument }) =>
      createOpenApiDocument(deps.config.publicUrl, deps.config.chat),
    );
    return document;
  };

  app.get('/openapi.json', () => openApiDocument());

  // Swagger UI reads the document from /docs/json, which @fastify/swagger serves (static mode: a document given,
  // not one built from Fastify's routes). The document is built on first use, so the object given is filled in
  // before the UI's first request for it.
  const shown: Partial<OpenAPIObject> = {};
  // (openapi-types, @fastify/swagger's document type, and trpc-to-openapi's differ in detail: one document serves both.)
  await app.register(fastifySwagger, { mode: 'static', specification: { document: shown as never } });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    baseDir: SWAGGER_UI_STATIC,
    // The logo the plugin would read through __dirname, read from the same files.
    logo: { type: 'image/svg+xml', content: readFileSync(join(SWAGGER_UI_STATIC, 'logo.svg')) },
    uiConfig: { deepLinking: true },
    uiHooks: {
      async preHandler() {
        if (!shown.openapi) Object.assign(shown, await openApiDocument());
      },
    },
  });

  const options = {
    basePath: REST_BASE_PATH,
    router: appRouter,
    createContext: ({ req }: { req: FastifyRequest }) => contextOf(req),
    maxBodySize: deps.config.bodyLimitBytes,
    onError({
      error,
      path,
      req,
    }: {
      error: { code: string; cause?: unknown };
      path?: string;
      req: { log: FastifyInstance['log'] };
    }) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        req.log.error({ err: error.cause ?? error, path }, 'procedure failed');
    },
  };
  let handler: Promise<RouteHandlerMethod> | undefined;
  app.route({
    method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    url: `${REST_BASE_PATH}/*`,
    async handler(request: FastifyRequest, reply: FastifyReply) {
      handler ??= openApiHandler(options);
      return (await handler).call(app, request, reply);
    },
  });
}

/**
 * trpc-to-openapi's own Fastify route handler, taken from its plugin without registering the plugin: the plugin
 * would import it at start. The handler adapts Fastify's request and reply to Node's and strips the base path.
 */
async function openApiHandler(options: object): Promise<RouteHandlerMethod> {
  const { fastifyTRPCOpenApiPlugin } = await import('trpc-to-openapi');
  let captured: RouteHandlerMethod | undefined;
  const collector = {
    prefix: '',
    route(definition: { handler: RouteHandlerMethod }) {
      captured = definition.handler;
    },
  };
  fastifyTRPCOpenApiPlugin(
    collector as unknown as Parameters<typeof fastifyTRPCOpenApiPlugin>[0],
    options as Parameters<typeof fastifyTRPCOpenApiPlugin>[1],
    () => {},
  );
  if (!captured) throw new Error('trpc-to-openapi registered no route');
  return captured;
}

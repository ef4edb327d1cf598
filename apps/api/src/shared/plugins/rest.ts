// Plain JSON over HTTP for callers outside TypeScript: the same procedures, validation and auth as /trpc, at
// /api/v1/… (trpc-to-openapi), the generated OpenAPI document at /openapi.json, and a docs page at /docs.
// trpc-to-openapi and the document are loaded on the first request that needs them, not at start (P5: start-up).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { OpenAPIObject } from 'trpc-to-openapi';
import { appRouter } from '../../router.ts';
import { type ContextDeps, createRequestContext } from '../context.ts';
import { REST_BASE_PATH } from '../rest-base-path.ts';

const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Parley API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const DOCS_INIT = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true });\n";

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
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(DOCS_PAGE));
  // A file, not an inline script: the Content-Security-Policy (plugins/security.ts) allows scripts from this origin only.
  app.get('/docs/init.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(DOCS_INIT));
  await app.register(fastifyStatic, { root: SWAGGER_UI, prefix: '/docs/assets/', decorateReply: false });

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

// Plain JSON over HTTP for callers outside TypeScript: the same procedures, validation and auth as /trpc, at
// /api/v1/… (trpc-to-openapi), the generated OpenAPI document at /openapi.json, and a docs page at /docs.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fastifyTRPCOpenApiPlugin } from 'trpc-to-openapi';
import { appRouter } from '../../router.ts';
import { type ContextDeps, createContextBuilder } from '../context.ts';
import { headerReader } from '../lib/headers.ts';
import { createOpenApiDocument, REST_BASE_PATH } from '../openapi.ts';

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
  <script>
    window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true });
  </script>
</body>
</html>`;

export async function restPlugin(app: FastifyInstance, deps: ContextDeps) {
  const buildContext = createContextBuilder(deps);
  // Built once, at start: the document only changes with the code.
  const document = createOpenApiDocument(deps.config.publicUrl);

  app.get('/openapi.json', async () => document);
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(DOCS_PAGE));
  await app.register(fastifyStatic, { root: SWAGGER_UI, prefix: '/docs/assets/', decorateReply: false });

  await app.register(fastifyTRPCOpenApiPlugin, {
    basePath: REST_BASE_PATH,
    router: appRouter,
    createContext: ({
      req,
    }: {
      req: {
        headers: Record<string, string | string[] | undefined>;
        id: string;
        log: FastifyInstance['log'];
        method: string;
      };
    }) => buildContext({ headers: headerReader(req.headers), requestId: req.id, log: req.log, method: req.method }),
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
  });
}

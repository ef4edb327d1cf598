// The web app's build (apps/web/dist) served at `/`: hashed assets cached for good, everything else revalidated,
// precompressed files (.br, .gz written by the web build) when the client takes them, and index.html for any
// other page a browser asks for (client-side routes such as /c/<id> or /settings/profile survive a reload).
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Paths that belong to the server: an unknown one stays a JSON 404, never the app's page. */
const SERVER_PATHS = /^\/(trpc|api|v1|docs|openapi\.json|health|ready|metrics)(\/|\?|$)/;

export async function webAppPlugin(app: FastifyInstance, { root }: { root: string }) {
  await app.register(fastifyStatic, {
    root,
    wildcard: true,
    preCompressed: true,
    cacheControl: false,
    setHeaders(reply, path) {
      // Vite names everything under assets/ by its content hash: a changed file is a new name.
      const hashed = path.includes(`${sep}assets${sep}`);
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.setNotFoundHandler((request, reply) => {
    const page =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !SERVER_PATHS.test(request.url) &&
      (request.headers.accept ?? '').includes('text/html');
    if (page && existsSync(join(root, 'index.html'))) return reply.sendFile('index.html');
    // A page asked for while a new build replaces the old one (a moment without index.html).
    if (page)
      return reply
        .code(503)
        .header('retry-after', '2')
        .type('text/plain')
        .send('The web app is being built: reload in a moment.');
    // Fastify's own answer for an unknown route.
    return reply
      .code(404)
      .send({ message: `Route ${request.method}:${request.url} not found`, error: 'Not Found', statusCode: 404 });
  });
}

// Not encapsulated: the not-found handler applies to the whole app.
Object.assign(webAppPlugin, { [Symbol.for('skip-override')]: true });

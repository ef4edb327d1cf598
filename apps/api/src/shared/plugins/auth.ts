// Mounts Better Auth's own routes at /api/auth/* (it has no Fastify plugin): Fastify request in, Fetch Request
// to Better Auth, its Response back with status, headers and every set-cookie.
import type { FastifyInstance } from 'fastify';
import { type Auth, CLIENT_IP_HEADER } from '../auth.ts';
import { toFetchHeaders } from '../lib/headers.ts';
import { isAllowedImageUrl } from '../lib/input-policy.ts';

const SKIPPED_RESPONSE_HEADERS = new Set(['set-cookie', 'content-length', 'content-encoding', 'transfer-encoding']);

/** Better Auth's bodies are a few short fields: a small limit of their own, whatever BODY_LIMIT_BYTES says. */
const AUTH_BODY_LIMIT = 64 * 1024;

/** The image URL rule of users.updateProfile, on Better Auth's update-user too (it accepts any string). */
function refusedImage(path: string, body: unknown): string | null {
  if (!path.endsWith('/update-user') || body === null || typeof body !== 'object') return null;
  const image = (body as { image?: unknown }).image;
  if (image === undefined || image === null) return null;
  return typeof image === 'string' && image.length <= 2000 && isAllowedImageUrl(image)
    ? null
    : 'image: expected an https: or data:image/ URL';
}

export async function authPlugin(app: FastifyInstance, { auth, publicUrl }: { auth: Auth; publicUrl: string }) {
  app.route({
    method: ['GET', 'POST'],
    url: '/api/auth/*',
    bodyLimit: AUTH_BODY_LIMIT,
    async handler(request, reply) {
      const refused = refusedImage(new URL(request.url, publicUrl).pathname, request.body);
      if (refused) {
        return reply.code(400).send({ code: 'VALIDATION_FAILED', message: refused, requestId: request.id });
      }
      const headers = toFetchHeaders(request.headers);
      headers.set(CLIENT_IP_HEADER, request.ip);
      headers.delete('content-length');
      const hasBody = request.method !== 'GET' && request.body !== undefined && request.body !== null;
      // An unexpected error is thrown (onAPIError.throw, auth.ts): the app's error handler answers it, 503 with
      // Retry-After when the database does not answer.
      const response = await auth.handler(
        new Request(new URL(request.url, publicUrl), {
          method: request.method,
          headers,
          ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
        }),
      );
      reply.status(response.status);
      response.headers.forEach((value, name) => {
        if (!SKIPPED_RESPONSE_HEADERS.has(name)) reply.header(name, value);
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) reply.header('set-cookie', cookies);
      return reply.send(response.body ? Buffer.from(await response.arrayBuffer()) : null);
    },
  });
}

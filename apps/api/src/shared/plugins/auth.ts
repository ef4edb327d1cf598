// Mounts Better Auth's own routes at /api/auth/* (it has no Fastify plugin): Fastify request in, Fetch Request
// to Better Auth, its Response back with status, headers and every set-cookie.
import { fromNodeHeaders } from 'better-auth/node';
import type { FastifyInstance } from 'fastify';
import { type Auth, CLIENT_IP_HEADER } from '../auth.ts';
import { profileFault } from '../lib/input-policy.ts';

const SKIPPED_RESPONSE_HEADERS = new Set(['set-cookie', 'content-length', 'content-encoding', 'transfer-encoding']);

/** Better Auth's bodies are a few short fields: a small limit of their own, whatever BODY_LIMIT_BYTES says. */
const AUTH_BODY_LIMIT = 64 * 1024;

/** The profile rules of users.updateProfile (name, image URL) on the Better Auth routes that set them. */
const PROFILE_ROUTES = /\/(update-user|sign-up\/email)$/;

function refusedProfile(path: string, body: unknown): string | null {
  if (!PROFILE_ROUTES.test(path)) return null;
  const fault = profileFault(body);
  return fault ? `${fault.field}: ${fault.message}` : null;
}

export async function authPlugin(app: FastifyInstance, { auth, publicUrl }: { auth: Auth; publicUrl: string }) {
  app.route({
    method: ['GET', 'POST'],
    url: '/api/auth/*',
    bodyLimit: AUTH_BODY_LIMIT,
    async handler(request, reply) {
      const refused = refusedProfile(new URL(request.url, publicUrl).pathname, request.body);
      if (refused) {
        return reply.code(400).send({ code: 'VALIDATION_FAILED', message: refused, requestId: request.id });
      }
      const headers = fromNodeHeaders(request.headers);
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

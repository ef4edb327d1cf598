// Who sent a request, looked up once per request: the rate limiter (which counts per user and per API key) and the
// request's context both ask, and the lookup (one prepared query) runs once. A request with no credential header
// (most signed-out traffic) names nobody without a lookup or an entry here.
import type { FastifyRequest } from 'fastify';
import { headerReader } from './lib/headers.ts';
import type { Found, SessionLookup } from './session-lookup.ts';

const found = new WeakMap<FastifyRequest, Promise<Found | null>>();
const NOBODY: Promise<Found | null> = Promise.resolve(null);

/** The request's user (cookie or API key), or null; rejects with CredentialError for a bad or over-limit key. */
export function requestUser(sessions: SessionLookup, request: FastifyRequest): Promise<Found | null> {
  // The lookup reads only these two headers (session-lookup.ts).
  if (!request.headers.cookie && !request.headers['x-api-key']) return NOBODY;
  let lookup = found.get(request);
  if (!lookup) {
    lookup = sessions.resolve(headerReader(request.headers));
    found.set(request, lookup);
  }
  return lookup;
}

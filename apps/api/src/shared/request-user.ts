// Who sent a request, looked up once per request: the rate limiter (which counts per user and per API key) and the
// request's context both ask, and the lookup (one prepared query) runs once.
import type { FastifyRequest } from 'fastify';
import { headerReader } from './lib/headers.ts';
import type { Found, SessionLookup } from './session-lookup.ts';

const found = new WeakMap<FastifyRequest, Promise<Found | null>>();

/** The request's user (cookie or API key), or null; rejects with CredentialError for a bad or over-limit key. */
export function requestUser(sessions: SessionLookup, request: FastifyRequest): Promise<Found | null> {
  let lookup = found.get(request);
  if (!lookup) {
    lookup = sessions.resolve(headerReader(request.headers));
    found.set(request, lookup);
  }
  return lookup;
}

// The fast path for tRPC GET queries (shared/plugins/trpc-fast-queries.ts) answers exactly as tRPC's official
// Fastify adapter does: the same calls go to two servers on one database, one with TRPC_FAST_PATH=true and one with
// false, and status, content type and body bytes are compared. Checked against @trpc/server 11.22.1: a tRPC
// upgrade that changes the wire format fails here first.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import type { Database } from '../src/shared/db/client.ts';
import { testConfig } from './helpers/config.ts';
import { openTestDatabase } from './helpers/database.ts';

let database: Database;
let fast: FastifyInstance;
let official: FastifyInstance;
let cookie: string;
const ORIGIN = 'http://127.0.0.1:3000';

beforeAll(async () => {
  database = await openTestDatabase();
  fast = await buildApp(testConfig({ TRPC_FAST_PATH: 'true' }), { database });
  official = await buildApp(testConfig({ TRPC_FAST_PATH: 'false' }), { database });
  const signUp = await fast.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: ORIGIN, 'content-type': 'application/json' },
    payload: { email: 'fast@example.com', password: 'correct horse battery staple', name: 'Fast' },
  });
  expect(signUp.statusCode).toBe(200);
  cookie = signUp.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  // Something to list, made through the official adapter (a mutation never takes the fast path).
  const created = await official.inject({
    method: 'POST',
    url: '/trpc/chat.create',
    headers: { cookie, origin: ORIGIN, 'content-type': 'application/json' },
    payload: superjson.serialize({ title: 'A chat' }),
  });
  expect(created.statusCode).toBe(200);
});

afterAll(async () => {
  // Both close the shared database; closing twice is harmless.
  await official.close();
  await fast.close();
});

const input = (value: unknown) => encodeURIComponent(JSON.stringify(superjson.serialize(value)));
const batchInput = (values: unknown[]) =>
  encodeURIComponent(JSON.stringify(Object.fromEntries(values.map((v, i) => [i, superjson.serialize(v)]))));
const MISSING = '00000000-0000-4000-8000-000000000000';

/** What must be equal: status, content type, Vary and body bytes, with each response's own request id masked. */
function comparable(response: LightMyRequestResponse) {
  const requestId = String(response.headers['x-request-id']);
  return {
    status: response.statusCode,
    contentType: response.headers['content-type'],
    vary: response.headers.vary,
    body: response.body.replaceAll(requestId, '<request id>'),
  };
}

/**
 * Which path answered: the official adapter streams its answer (chunked), the fast path sends it whole with a
 * Content-Length. Without this, a fast path that never engaged would pass every comparison.
 */
const answeredByFastPath = (response: LightMyRequestResponse) =>
  response.headers['content-length'] !== undefined && response.headers['transfer-encoding'] === undefined;

type Case = {
  name: string;
  url: string;
  signedIn: boolean;
  status: number;
  fast?: false;
  headers?: Record<string, string>;
};
const CASES: Case[] = [
  { name: 'a query without input, Dates in the output', url: '/trpc/users.me', signedIn: true, status: 200 },
  { name: 'a query with input', url: `/trpc/chat.list?input=${input({ limit: 5 })}`, signedIn: true, status: 200 },
  {
    name: 'superjson Dates in the input',
    url: `/trpc/users.usage?input=${input({ from: new Date('2026-01-01T00:00:00Z'), to: new Date() })}`,
    signedIn: true,
    status: 200,
  },
  { name: 'a public query', url: '/trpc/providers.kinds', signedIn: false, status: 200 },
  {
    name: 'a batch',
    url: `/trpc/users.me,chat.list,providers.kinds?batch=1&input=${batchInput([undefined, { limit: 2 }, undefined])}`,
    signedIn: true,
    status: 200,
  },
  { name: 'unauthorized', url: '/trpc/users.me', signedIn: false, status: 401 },
  {
    name: 'a validation error',
    url: `/trpc/chat.list?input=${input({ limit: -1 })}`,
    signedIn: true,
    status: 400,
  },
  {
    name: 'not found',
    url: `/trpc/providers.get?input=${input({ id: MISSING })}`,
    signedIn: true,
    status: 404,
  },
  {
    name: 'a mixed-status batch',
    url: `/trpc/users.me,providers.get,chat.list?batch=1&input=${batchInput([undefined, { id: MISSING }, { limit: 0 }])}`,
    signedIn: true,
    status: 207,
  },
  {
    name: 'a batch of errors with one status',
    url: `/trpc/users.me,auth.listSessions?batch=1&input=${batchInput([undefined, undefined])}`,
    signedIn: false,
    status: 401,
  },
  {
    name: 'an unknown procedure (left to the adapter)',
    url: '/trpc/nothing.here',
    signedIn: true,
    status: 404,
    fast: false,
  },
  {
    name: 'malformed input (left to the adapter)',
    url: '/trpc/chat.list?input=%7Bnot-json',
    signedIn: true,
    status: 400,
    fast: false,
  },
  {
    name: 'a subscription over SSE, refused (left to the adapter)',
    url: `/trpc/chat.stream?input=${input({ messageId: MISSING })}`,
    signedIn: false,
    status: 200,
    fast: false,
    headers: { accept: 'text/event-stream' },
  },
  {
    name: 'a subscription over SSE, not found (left to the adapter)',
    url: `/trpc/chat.stream?input=${input({ messageId: MISSING })}`,
    signedIn: true,
    status: 200,
    fast: false,
    headers: { accept: 'text/event-stream' },
  },
  {
    name: 'a streaming batch (left to the adapter)',
    url: `/trpc/users.me,providers.kinds?batch=1&input=${batchInput([undefined, undefined])}`,
    signedIn: true,
    status: 200,
    fast: false,
    headers: { 'trpc-accept': 'application/jsonl' },
  },
  {
    name: 'a mutation over GET (left to the adapter)',
    url: '/trpc/chat.create',
    signedIn: true,
    status: 405,
    fast: false,
  },
];

describe('what works', () => {
  it.each(CASES)('$name: the same status, content type and bytes', async (call) => {
    const { url, signedIn, status, fast: taken } = call;
    const headers = { ...call.headers, ...(signedIn ? { cookie } : {}) };
    const [viaFast, viaOfficial] = await Promise.all([
      fast.inject({ method: 'GET', url, headers }),
      official.inject({ method: 'GET', url, headers }),
    ]);
    expect(viaOfficial.statusCode).toBe(status);
    expect(answeredByFastPath(viaOfficial)).toBe(false);
    expect(answeredByFastPath(viaFast)).toBe(taken !== false);
    expect(comparable(viaFast)).toEqual(comparable(viaOfficial));
  });
});

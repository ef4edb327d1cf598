// A fast path for tRPC queries over GET (single or batched): the procedures are called directly and the answer is
// written in tRPC's own wire format, skipping the official adapter's conversion of every request and response to
// Fetch objects (it reaches ~0.17x a raw Fastify route here). Anything else — mutations, subscriptions (SSE),
// streaming batches, unknown paths, malformed input — falls through to the official adapter unchanged.
// Checked against @trpc/server 11.22.1 by test/trpc-fast-path.test.ts (the same calls through both, byte for byte);
// TRPC_FAST_PATH=false turns this path off.
import type { TRPCError } from '@trpc/server';
import {
  callProcedure,
  getErrorShape,
  getHTTPStatusCodeFromError,
  getTRPCErrorFromUnknown,
} from '@trpc/server/unstable-core-do-not-import';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appRouter } from '../../router.ts';
import { deserialize, serialize } from '../lib/wire.ts';
import type { Context } from '../trpc.ts';

type Query = { batch?: string; input?: string };
type SuperJSONResult = Parameters<typeof deserialize>[0];
type Call = { path: string; input: unknown };

const PROCEDURES = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } } | undefined>;

/** One call, if `name` is a query and its superjson input decodes (metadata checked: lib/wire.ts). */
function queryCall(name: string, encoded: unknown): Call | null {
  if (PROCEDURES[name]?._def.type !== 'query') return null;
  try {
    return { path: name, input: encoded === undefined ? undefined : deserialize(encoded as SuperJSONResult) };
  } catch {
    return null;
  }
}

/** The calls of a GET request the fast path can answer, or null to leave the request to the official adapter. */
function plainQueries(request: FastifyRequest, maxBatchSize: number): Call[] | null {
  const { path } = request.params as { path?: string };
  const query = request.query as Query;
  if (!path || request.headers['trpc-accept'] || request.headers.accept?.includes('text/event-stream')) return null;
  const paths = path.split(',');
  const batch = query.batch === '1';
  if ((!batch && paths.length > 1) || paths.length > maxBatchSize) return null;
  let raw: unknown;
  try {
    raw = query.input === undefined ? undefined : JSON.parse(query.input);
  } catch {
    return null;
  }
  const calls: Call[] = [];
  for (const [index, name] of paths.entries()) {
    const call = queryCall(name, batch ? (raw as Record<string, unknown> | undefined)?.[index] : raw);
    if (!call) return null;
    calls.push(call);
  }
  return calls;
}

export type ErrorHook = (opts: { error: TRPCError; path: string; ctx: Context; request: FastifyRequest }) => void;

export function fastQueriesHook(options: {
  buildContext(request: FastifyRequest): Promise<Context>;
  maxBatchSize: number;
  onError: ErrorHook;
}) {
  const config = appRouter._def._config;
  return async function fastQueries(request: FastifyRequest, reply: FastifyReply) {
    if (request.method !== 'GET') return;
    const calls = plainQueries(request, options.maxBatchSize);
    if (!calls) return;
    const ctx = await options.buildContext(request);
    const results = await Promise.all(
      calls.map(async ({ path, input }, batchIndex) => {
        try {
          const data = await callProcedure({
            router: appRouter,
            path,
            type: 'query',
            ctx,
            // As the official adapter: no input here, the raw input only through getRawInput. tRPC merges `input`
            // into the parsed one, so the raw input here let any key through the schema ({ userId } included).
            input: undefined,
            getRawInput: async () => input,
            signal: undefined,
            batchIndex,
          });
          return { status: 200, body: { result: { data: serialize(data) } } };
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          options.onError({ error, path, ctx, request });
          const shape = getErrorShape({ config, error, type: 'query', path, input, ctx });
          return { status: getHTTPStatusCodeFromError(error), body: { error: serialize(shape) } };
        }
      }),
    );
    const batch = (request.query as Query).batch === '1';
    const statuses = new Set(results.map((r) => r.status));
    const status = statuses.size === 1 ? (results[0]?.status ?? 200) : 207;
    // The official adapter's Vary (it picks streaming or JSON answers by these headers).
    reply.header('vary', 'trpc-accept, accept');
    // As bytes: Fastify appends "; charset=utf-8" to a JSON string's content type, the official adapter does not.
    const body = Buffer.from(JSON.stringify(batch ? results.map((r) => r.body) : results[0]?.body));
    return reply.code(status).header('content-type', 'application/json').send(body);
  };
}

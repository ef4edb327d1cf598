// tRPC core: the context, the error shape, and the procedure tiers (public, protected, admin).
import { initTRPC, TRPCError } from '@trpc/server';
import type { FastifyBaseLogger } from 'fastify';
import type { OpenApiMeta, OpenApiMethod } from 'trpc-to-openapi';
import { z } from 'zod';
import type { Outbound } from '../modules/providers/index.ts';
// Types only: the context carries these modules' long-lived runtime pieces, built once in app.ts.
import type { Replies } from '../modules/replies/index.ts';
import type { Auth } from './auth.ts';
import type { Db } from './db/client.ts';
import type { Config } from './lib/env.ts';
import { type AppCode, AppError, appCodeForTrpcCode, ERROR_CODES, type ErrorData, toAppError } from './lib/errors.ts';
import { inputFault } from './lib/input-policy.ts';
import { transformer } from './lib/wire.ts';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  image: string | null;
  role: 'user' | 'admin';
  createdAt: Date;
}

export interface SessionInfo {
  id: string;
  expiresAt: Date;
}

export interface Context {
  requestId: string;
  log: FastifyBaseLogger;
  db: Db;
  auth: Auth;
  config: Config;
  /** How the server calls providers: the guarded fetch, its policy, its time bound, the AI SDK model factory. */
  outbound: Outbound;
  /** The replies module's hub, flush loop and generation engine, alive as long as the server. */
  replies: Replies;
  user: SessionUser | null;
  session: SessionInfo | null;
  /** Set when the session lookup failed (database down); the first middleware throws it with this context. */
  contextError?: unknown;
}

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    // superjson's wire format, written faster for plain data (lib/wire.ts); clients use superjson itself.
    transformer,
    isDev: false,
    // Long replies can think for a while: pings keep the SSE connection (and proxies) from timing it out.
    sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 15_000 } },
    errorFormatter({ shape, error, ctx }) {
      const zodError =
        error.cause instanceof z.ZodError
          ? z.flattenError(error.cause)
          : error.cause instanceof AppError && error.cause.field
            ? { formErrors: [], fieldErrors: { [error.cause.field]: [error.cause.message] } }
            : undefined;
      const internal = error.code === 'INTERNAL_SERVER_ERROR';
      const appCode: AppCode =
        error.cause instanceof AppError
          ? error.cause.code
          : zodError
            ? 'VALIDATION_FAILED'
            : appCodeForTrpcCode(error.code);
      // The shape clients read: ErrorData, owned by @parley/shared (declared, so clients infer exactly it).
      const data: ErrorData = {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        appCode,
        ...(shape.data.path ? { path: shape.data.path } : {}),
        ...(ctx ? { requestId: ctx.requestId } : {}),
        ...(zodError ? { zodError } : {}),
      };
      return {
        code: shape.code,
        // 5xx details never leave the server: the log has them under the same request id.
        message: internal
          ? `Internal server error (request ${ctx?.requestId ?? 'unknown'})`
          : error.cause instanceof z.ZodError
            ? `Invalid input: ${z.prettifyError(error.cause)}`
            : shape.message,
        data,
      };
    },
  });

/** The tRPC error an AppError's code maps to: the one place that maps. Anything else passes unchanged. */
function toTRPCError(thrown: unknown): unknown {
  const error = toAppError(thrown);
  if (!(error instanceof AppError)) return error;
  return new TRPCError({ code: ERROR_CODES[error.code].trpc, message: error.message, cause: error });
}

const RISKY_FIELD_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The input policy (lib/input-policy.ts) on a call's raw input, before any procedure's schema: one place for every
 * procedure, over tRPC and REST alike. A NUL byte or lone surrogate is refused naming the field (PostgreSQL would
 * refuse the NUL with a 500), and so is input nested deeper than any of ours.
 */
async function checkInput(getRawInput: () => Promise<unknown>) {
  const fault = inputFault(await getRawInput());
  if (!fault) return;
  // A key such as `constructor` cannot be a key of the answer (superjson refuses to serialize it: a 500).
  const risky = fault.field.split('.').some((key) => RISKY_FIELD_KEYS.has(key));
  const field = risky || !fault.field ? 'input' : fault.field;
  throw toTRPCError(new AppError('VALIDATION_FAILED', `${field} ${fault.message}`, { field }));
}

/** Maps AppErrors thrown below a procedure, and a failed session lookup, to their tRPC errors. */
const mapAppErrors = t.middleware(async ({ ctx, next, getRawInput }) => {
  if (ctx.contextError) throw toTRPCError(ctx.contextError);
  await checkInput(getRawInput);
  return mapped(await next());
});

function mapped<R extends { ok: boolean; error?: { cause?: unknown } }>(result: R): R {
  // A database that does not answer becomes SERVICE_UNAVAILABLE here too (errors.ts toAppError).
  if (!result.ok && toAppError(result.error?.cause) instanceof AppError) throw toTRPCError(result.error?.cause);
  return result;
}

/**
 * The tiers' checks in one middleware each (every tRPC middleware level copies the call's options and context):
 * the failed lookup, who is calling, their role, and the error mapping below.
 */
function signedIn(role: 'user' | 'admin') {
  return t.middleware(async ({ ctx, next, getRawInput }) => {
    if (ctx.contextError) throw toTRPCError(ctx.contextError);
    const { user, session } = ctx;
    if (!user || !session) throw toTRPCError(new AppError('UNAUTHORIZED'));
    if (role === 'admin' && user.role !== 'admin') {
      throw toTRPCError(new AppError('FORBIDDEN', 'Only an admin may do this'));
    }
    await checkInput(getRawInput);
    // tRPC merges this into the context: only the narrowed fields need saying.
    return mapped(await next({ ctx: { user, session } }));
  });
}

/** The plain-HTTP route of a procedure under /api/v1 (OpenAPI document and REST surface, same procedure). */
export function rest(method: OpenApiMethod, path: `/${string}`, tag: string, protect = true): OpenApiMeta {
  return { openapi: { method, path, tags: [tag], protect } };
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(mapAppErrors);

export const protectedProcedure = t.procedure.use(signedIn('user'));

export const adminProcedure = t.procedure.use(signedIn('admin'));

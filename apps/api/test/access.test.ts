// "Who may not": every procedure of the router, called without a session, is UNAUTHORIZED unless it is public.
// The list comes from the router itself, so a new procedure cannot be forgotten here.
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/router.ts';
import { user as userTable } from '../src/shared/db/schema/index.ts';
import { adminProcedure, createCallerFactory, router } from '../src/shared/trpc.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

/** Procedures anyone may call. Every other procedure must refuse a caller without a session. */
const PUBLIC = new Set(['auth.getSession', 'providers.kinds']);

/** A valid input for each procedure that takes one, so that only the missing session can fail the call. */
const SAMPLE_INPUT: Record<string, unknown> = {
  'auth.revokeSession': { sessionId: 'some-session' },
  'providers.get': { id: 'some-provider' },
  'providers.create': { kind: 'openai', name: 'x', apiKey: 'k' },
  'providers.update': { id: 'some-provider', name: 'y' },
  'providers.delete': { id: 'some-provider' },
  'providers.test': { id: 'some-provider' },
  'providers.models': { id: 'some-provider' },
};

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

type AnyCall = (input: unknown) => Promise<unknown>;

function procedureAt(caller: object, path: string): AnyCall {
  let target: unknown = caller;
  for (const key of path.split('.')) target = (target as Record<string, unknown>)[key];
  return target as AnyCall;
}

const paths = Object.keys(appRouter._def.procedures).sort();

describe('who may not', () => {
  it('the router has procedures to check', () => {
    expect(paths.length).toBeGreaterThanOrEqual(4);
  });

  it.each(paths.filter((p) => !PUBLIC.has(p)))('%s refuses a caller without a session', async (path) => {
    const caller = await h.caller();
    const error = await procedureAt(caller, path)(SAMPLE_INPUT[path]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('UNAUTHORIZED');
  });

  it('adminProcedure is FORBIDDEN for an ordinary user and open to an admin', async () => {
    const probe = createCallerFactory(router({ secret: adminProcedure.query(() => 'admin only') }));
    const user = await h.signUp('plain@example.com');
    const error = await probe(await h.context(user.headers))
      .secret()
      .catch((e: unknown) => e);
    expect((error as TRPCError).code).toBe('FORBIDDEN');
    await h.db.update(userTable).set({ role: 'admin' }).where(eq(userTable.id, user.userId));
    expect(await probe(await h.context(user.headers)).secret()).toBe('admin only');
  });
});

// The paging kit (src/shared/lib/paging.ts) and what keeps it the only way lists page: every procedure answering
// nextCursor takes the kit's cursor and limit and answers the kit's page; every other procedure answering a list is
// named below with why it is whole; no file but the kit signs cursors or writes nextCursor.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { inferRouterOutputs } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { Page as ClientPage } from '../../../packages/shared/src/paging.ts';
import { everyRow } from '../../../packages/shared/src/paging.ts';
import { ChatsCursor, MessagesCursor } from '../src/modules/chat/service.ts';
import { HistoryCursor } from '../src/modules/chat/tree.ts';
import { UsersCursor } from '../src/modules/users/service.ts';
import { type AppRouter, appRouter } from '../src/router.ts';
import { user as userTable } from '../src/shared/db/schema/index.ts';
import { AppError } from '../src/shared/lib/errors.ts';
import {
  cursorKind,
  fetchSize,
  isPageInput,
  isPageOutput,
  PAGING_DOC,
  PageCursor,
  PageLimit,
  TimeIdValue,
  toPage,
} from '../src/shared/lib/paging.ts';
import { PROCEDURE_DOCS } from '../src/shared/openapi-routes.ts';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';

/** The procedures that page, through the kit. */
const PAGED = ['chat.history', 'chat.list', 'chat.messages', 'users.list'];

/**
 * The procedures that answer a list whole (an array, or an object with an array field), and why that is bounded. A new procedure answering an array fails the
 * router test until it pages through the kit or is named here with its reason.
 */
const WHOLE: Record<string, string> = {
  'auth.listSessions': 'unexpired sessions only: 30 days each (SESSION_AGES, shared/auth.ts), sign-ins rate limited',
  'auth.apiKeys.list': 'keys the user made by hand, one request each; revoked keys are deleted (no cap in code)',
  'providers.list': 'providers the user added by hand, names unique per user (no cap in code)',
  'providers.kinds': 'the fixed table of provider kinds',
  'providers.models': "the provider's own model list, as it answers it (one upstream call)",
  'providers.test': "the provider's model list, as providers.models",
  'users.usage': 'aggregates: one row per (provider, model) and per day with usage, not rows of a table',
  'users.exportData': 'documented for accounts up to 10,000 messages; GET /api/export streams any account',
  // One record holding a small array of its own:
  'providers.get': 'a provider: its prices, at most 500 (Prices, providers/schema.ts)',
  'providers.create': 'a provider, as providers.get',
  'providers.update': 'a provider, as providers.get',
  'chat.stop': "a message: its parts (the reply's reasoning and text)",
};

type RouterOutputs = inferRouterOutputs<AppRouter>;
type Procedure = { _def: { type: string; inputs: unknown[]; output?: unknown } };
const PROCEDURES = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

const isObject = (s: unknown): s is z.ZodObject => s instanceof z.ZodObject;
const answersList = (s: unknown) =>
  s instanceof z.ZodArray || (isObject(s) && Object.values(s.shape).some((f) => f instanceof z.ZodArray));

/** The .ts and .tsx files under a directory, skipping dependencies, builds and dot-directories. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name !== 'node_modules' && name !== 'dist' && !name.startsWith('.'))
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sourceFiles(path);
      return /\.tsx?$/.test(name) ? [path] : [];
    });
}

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? `${error.code} ${error.field ?? ''}`.trim() : String(error);
  }
  return 'no error';
};

describe('every list pages through the kit', () => {
  it('a procedure answering nextCursor takes the kit’s cursor and limit and answers the kit’s page', () => {
    const paged: string[] = [];
    for (const [path, { _def }] of PROCEDURES) {
      const output = _def.output;
      const input = _def.inputs.find(isObject);
      const pagesOut = isObject(output) && 'nextCursor' in output.shape;
      const pagesIn = !!input && ('cursor' in input.shape || 'limit' in input.shape);
      if (!pagesOut && !pagesIn) continue;
      paged.push(path);
      expect(isPageOutput(output), `${path}: output made by pageOf()`).toBe(true);
      expect(isPageInput(input), `${path}: input made by pageInput()`).toBe(true);
      expect(input?.shape.cursor, `${path}: the kit's cursor`).toBe(PageCursor);
      expect(input?.shape.limit, `${path}: the kit's limit`).toBe(PageLimit);
    }
    expect(paged.sort()).toEqual(PAGED);
  });

  it('the REST documentation of every paged procedure says how paging works, in the kit’s words', () => {
    for (const path of PAGED) {
      expect(PROCEDURE_DOCS[path.replaceAll('.', '-')]?.description, path).toContain(PAGING_DOC);
    }
  });

  it('every other procedure answering a list is named with why it is whole', () => {
    const whole = PROCEDURES.filter(([path, { _def }]) => !PAGED.includes(path) && answersList(_def.output));
    expect(whole.map(([path]) => path).sort()).toEqual(Object.keys(WHOLE).sort());
  });

  it('no file but the kit signs or opens cursors, or writes a page’s nextCursor', () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const dirs = ['apps/api/src', 'apps/api/scripts', 'apps/api/bench', 'apps/cli/src', 'apps/web/src', 'packages'];
    const allowed = new Map([
      ['apps/api/src/shared/lib/paging.ts', 'the kit'],
      ['apps/api/src/shared/lib/cursor.ts', "the kit's crypto half"],
      ['packages/shared/src/paging.ts', "the clients' Page<T>"],
      ['apps/api/bench/servers/raw.ts', 'a stand-in server without Parley, for the bench to compare against'],
    ]);
    const pattern = /\b(?:encodeCursor|decodeCursor|signCursor|openCursor)\(|\bnextCursor\s*:/;
    const offenders = dirs
      .flatMap((dir) => sourceFiles(join(root, dir)))
      .map((path) => relative(root, path))
      .filter((path) => !allowed.has(path) && pattern.test(readFileSync(join(root, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the page shape is one: what each paged procedure answers is the clients’ Page (@parley/shared)', () => {
    expectTypeOf<RouterOutputs['chat']['list']>().toExtend<ClientPage<RouterOutputs['chat']['get']>>();
    expectTypeOf<RouterOutputs['chat']['messages']>().toExtend<ClientPage<unknown>>();
    expectTypeOf<RouterOutputs['chat']['history']>().toExtend<ClientPage<unknown>>();
    expectTypeOf<RouterOutputs['users']['list']>().toExtend<ClientPage<unknown>>();
  });
});

describe('the kit', () => {
  const Kind = cursorKind('test-rows', TimeIdValue);
  const Other = cursorKind('test-other', TimeIdValue);
  const value = { t: '2026-01-01T00:00:00.000Z', id: 'row-1' };

  it('a cursor decodes to what was encoded; absent is absent', () => {
    expect(Kind.decode(Kind.encode(value))).toEqual(value);
    expect(Kind.decode(undefined)).toBeUndefined();
  });

  it('an altered or forged cursor is INVALID_CURSOR on cursor', () => {
    const given = Kind.encode(value);
    const [payload, tag] = given.split('.') as [string, string];
    const moved = Buffer.from(JSON.stringify({ ...value, id: 'row-2' })).toString('base64url');
    for (const altered of [`${moved}.${tag}`, payload, `${payload}.`, `${given}.x`, '', '!!!', 'a'.repeat(300)]) {
      expect(
        codeOf(() => Kind.decode(altered)),
        altered,
      ).toBe('INVALID_CURSOR cursor');
    }
  });

  it('a cursor of one list is INVALID_CURSOR on another, even with the same value shape', () => {
    expect(codeOf(() => Other.decode(Kind.encode(value)))).toBe('INVALID_CURSOR cursor');
    const kinds = [ChatsCursor, MessagesCursor, HistoryCursor, UsersCursor];
    expect(new Set(kinds.map((k) => k.name)).size).toBe(kinds.length);
    expect(codeOf(() => UsersCursor.decode(ChatsCursor.encode(value)))).toBe('INVALID_CURSOR cursor');
    expect(codeOf(() => HistoryCursor.decode(MessagesCursor.encode({ seq: 3 })))).toBe('INVALID_CURSOR cursor');
  });

  it('a correctly signed cursor holding an odd value is INVALID_CURSOR (checked by the kind’s schema)', () => {
    for (const odd of [
      { t: '+275760-09-13T00:00:00.000Z', id: 'x' },
      { t: '2026-01-01T00:00:00.000Z', id: 'a\u0000' },
      { t: '2026-01-01T00:00:00.000Z', id: 'x'.repeat(65) },
      { t: 5, id: 'x' },
      { id: 'x' },
      null,
      [],
    ]) {
      expect(
        codeOf(() => Kind.decode(Kind.encode(odd as never))),
        JSON.stringify(odd),
      ).toBe('INVALID_CURSOR cursor');
    }
    for (const seq of [1e300, 1.5, '1', null]) {
      expect(codeOf(() => MessagesCursor.decode(MessagesCursor.encode({ seq } as never)))).toBe(
        'INVALID_CURSOR cursor',
      );
    }
  });

  it('a kind is declared once, with a name that cannot be confused with the MAC’s separator', () => {
    expect(() => cursorKind('test-rows', TimeIdValue)).toThrow(/declared twice/);
    expect(() => cursorKind('a.b', TimeIdValue)).toThrow(/no dots/);
  });

  it('limit is 1 to 100, 20 by default; cursor at most 200 characters', () => {
    expect(PageLimit.parse(undefined)).toBe(20);
    for (const ok of [1, 100]) expect(PageLimit.parse(ok)).toBe(ok);
    for (const bad of [0, 101, 1.5, -1, '20']) expect(PageLimit.safeParse(bad).success, String(bad)).toBe(false);
    expect(PageCursor.safeParse('').success).toBe(false);
    expect(PageCursor.safeParse('x'.repeat(201)).success).toBe(false);
    expect(PageCursor.safeParse(undefined).success).toBe(true);
  });

  it('toPage: the first limit rows, a cursor from the last when more follow, null on the last page', () => {
    expect(fetchSize(20)).toBe(21);
    const cursorOf = (n: number) => `after-${n}`;
    expect(toPage([1, 2, 3], 2, cursorOf)).toEqual({ items: [1, 2], nextCursor: 'after-2' });
    expect(toPage([1, 2], 2, cursorOf)).toEqual({ items: [1, 2], nextCursor: null });
    expect(toPage([], 2, cursorOf)).toEqual({ items: [], nextCursor: null });
  });

  it('pages over equal timestamps cover every row once, in order (a keyset over (t, id))', async () => {
    const t = '2026-01-01T00:00:00.000Z';
    const rows = ['e', 'a', 'c', 'b', 'd', 'f', 'g'].map((id) => ({
      t: id < 'd' ? t : '2026-01-02T00:00:00.000Z',
      id,
    }));
    // Newest first, then id descending: what the chats and users lists do in SQL.
    const ordered = [...rows].sort((x, y) => y.t.localeCompare(x.t) || y.id.localeCompare(x.id));
    const list = (cursor: string | undefined, limit: number): ClientPage<(typeof rows)[number]> => {
      const after = Kind.decode(cursor);
      const rest = after ? ordered.filter((r) => r.t < after.t || (r.t === after.t && r.id < after.id)) : ordered;
      return toPage(rest.slice(0, fetchSize(limit)), limit, (last) => Kind.encode({ t: last.t, id: last.id }));
    };
    for (const limit of [1, 2, 3, 7, 8]) {
      const seen: string[] = [];
      for await (const row of everyRow((cursor) => Promise.resolve(list(cursor, limit)))) seen.push(row.id);
      expect(seen, `limit ${limit}`).toEqual(ordered.map((r) => r.id));
    }
  });
});

describe('the lists, through the kit, against a real database', () => {
  let h: Harness;
  let root: SignedIn;
  beforeAll(async () => {
    h = await createHarness({ ADMIN_EMAILS: 'root@paging.example' });
    root = await h.signUp('root@paging.example');
    for (const n of [1, 2, 3, 4]) await h.signUp(`user${n}@paging.example`);
  });
  afterAll(async () => {
    await h.close();
  });

  it('users.list: every user once over equal createdAt, the last page’s nextCursor null', async () => {
    const api = await h.caller(root.headers);
    await h.db.update(userTable).set({ createdAt: new Date('2026-01-01T00:00:00.000Z') });
    const seen: string[] = [];
    for await (const u of everyRow((cursor) => api.users.list({ limit: 2, cursor }))) seen.push(u.id);
    const all = (await api.users.list({ limit: 100 })).items.map((u) => u.id);
    expect(all).toHaveLength(5);
    expect(seen).toEqual(all);
    expect((await api.users.list({ limit: 5 })).nextCursor).toBeNull();
  });

  it('a cursor one list gave out is INVALID_CURSOR on another', async () => {
    const api = await h.caller(root.headers);
    for (const title of ['one', 'two']) await api.chat.create({ title });
    const chatsCursor = (await api.chat.list({ limit: 1 })).nextCursor as string;
    const usersCursor = (await api.users.list({ limit: 1 })).nextCursor as string;
    expect(chatsCursor).toEqual(expect.any(String));
    expect(appErrorOf(await rejection(api.users.list({ cursor: chatsCursor })))).toMatchObject({
      code: 'INVALID_CURSOR',
      field: 'cursor',
    });
    expect(appErrorOf(await rejection(api.chat.list({ cursor: usersCursor })))?.code).toBe('INVALID_CURSOR');
    const chatId = (await api.chat.list({ limit: 1 })).items[0]?.id as string;
    expect(appErrorOf(await rejection(api.chat.messages({ chatId, cursor: chatsCursor })))?.code).toBe(
      'INVALID_CURSOR',
    );
    expect(appErrorOf(await rejection(api.chat.history({ chatId, cursor: chatsCursor })))?.code).toBe('INVALID_CURSOR');
  });
});

// "Another user's id": one table of every procedure whose input carries an id, each called by Bob with the ids of
// Ada's things. Each must answer NOT_FOUND (as if the thing did not exist: no hint that it does), or FORBIDDEN for
// the admin procedures, which are about other users by design. The list of procedures comes from the router: a new
// procedure with an id field, or a new id field, fails the completeness test until a case here covers it.
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/router.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';

/**
 * Input fields that name something stored (an id). Not ids of anything: a clientRequestId is the caller's own
 * idempotency key, a lastEventId an offset into a reply's text.
 */
const ID_FIELD = /^(id|.+Id)$/;
const NOT_AN_ID = new Set(['clientRequestId', 'lastEventId']);

/** Ada's things, and Bob's own where a call needs one beside Ada's id. */
interface Ids {
  adaProvider: string;
  adaChat: string;
  adaQuestion: string;
  adaReply: string;
  adaSession: string;
  adaApiKey: string;
  adaUser: string;
  bobChat: string;
  bobProvider: string;
}

interface Case {
  /** What Bob tries. */
  what: string;
  input: (ids: Ids) => Record<string, unknown>;
  /** NOT_FOUND unless said otherwise. */
  code?: 'NOT_FOUND' | 'FORBIDDEN';
}

/** THE TABLE: every procedure that takes an id, and each id field it takes, holding one of Ada's ids. */
const TABLE: Record<string, Case[]> = {
  'auth.apiKeys.revoke': [{ what: 'revoke her API key', input: (i) => ({ id: i.adaApiKey }) }],
  'auth.revokeSession': [{ what: 'end her session', input: (i) => ({ sessionId: i.adaSession }) }],
  'providers.get': [{ what: 'read her provider', input: (i) => ({ id: i.adaProvider }) }],
  'providers.update': [{ what: 'rename her provider', input: (i) => ({ id: i.adaProvider, name: 'mine now' }) }],
  'providers.delete': [{ what: 'delete her provider', input: (i) => ({ id: i.adaProvider }) }],
  'providers.test': [{ what: 'test her provider (her key)', input: (i) => ({ id: i.adaProvider }) }],
  'providers.models': [{ what: 'list her provider’s models (her key)', input: (i) => ({ id: i.adaProvider }) }],
  'chat.get': [{ what: 'read her chat', input: (i) => ({ id: i.adaChat }) }],
  'chat.create': [{ what: 'a chat of his on her provider', input: (i) => ({ providerId: i.adaProvider }) }],
  'chat.update': [
    { what: 'rename her chat', input: (i) => ({ id: i.adaChat, title: 'mine now' }) },
    { what: 'point his chat at her provider', input: (i) => ({ id: i.bobChat, providerId: i.adaProvider }) },
  ],
  'chat.delete': [{ what: 'delete her chat', input: (i) => ({ id: i.adaChat }) }],
  'chat.messages': [{ what: 'read her messages', input: (i) => ({ chatId: i.adaChat }) }],
  'chat.history': [
    { what: 'read her chat’s history', input: (i) => ({ chatId: i.adaChat }) },
    { what: 'her reply as the leaf of his chat', input: (i) => ({ chatId: i.bobChat, leafId: i.adaReply }) },
  ],
  'chat.selectBranch': [
    { what: 'move her chat’s branch', input: (i) => ({ chatId: i.adaChat, messageId: i.adaReply }) },
    { what: 'her reply as his chat’s branch', input: (i) => ({ chatId: i.bobChat, messageId: i.adaReply }) },
  ],
  'chat.fork': [
    { what: 'fork her chat', input: (i) => ({ chatId: i.adaChat, messageId: i.adaReply }) },
    { what: 'fork his chat at her reply', input: (i) => ({ chatId: i.bobChat, messageId: i.adaReply }) },
  ],
  'chat.send': [
    { what: 'write into her chat', input: (i) => ({ chatId: i.adaChat, text: 'hi' }) },
    {
      what: 'send in his chat on her provider',
      input: (i) => ({ chatId: i.bobChat, text: 'hi', providerId: i.adaProvider }),
    },
    {
      what: 'answer her question in his chat',
      input: (i) => ({ chatId: i.bobChat, text: 'hi', parentId: i.adaQuestion }),
    },
  ],
  'chat.stream': [{ what: 'follow her reply', input: (i) => ({ messageId: i.adaReply }) }],
  'chat.sendAndStream': [
    { what: 'write into her chat and follow', input: (i) => ({ chatId: i.adaChat, text: 'hi' }) },
    {
      what: 'stream in his chat on her provider',
      input: (i) => ({ chatId: i.bobChat, text: 'hi', providerId: i.adaProvider }),
    },
    {
      what: 'stream an answer to her question',
      input: (i) => ({ chatId: i.bobChat, text: 'hi', parentId: i.adaQuestion }),
    },
  ],
  'chat.stop': [{ what: 'stop her reply', input: (i) => ({ messageId: i.adaReply }) }],
  'chat.regenerate': [{ what: 'regenerate her reply', input: (i) => ({ messageId: i.adaReply }) }],
  'users.updatePreferences': [
    { what: 'her provider as his default', input: (i) => ({ defaultProviderId: i.adaProvider }) },
  ],
  'users.setUserLimits': [
    {
      what: 'set her limits (admin only)',
      input: (i) => ({ userId: i.adaUser, period: 'day', maxTokens: 1 }),
      code: 'FORBIDDEN',
    },
  ],
  'users.setRole': [
    { what: 'make her an admin (admin only)', input: (i) => ({ userId: i.adaUser, role: 'admin' }), code: 'FORBIDDEN' },
  ],
};

type AnyCall = (input: unknown) => Promise<unknown>;

function procedureAt(caller: object, path: string): AnyCall {
  let target: unknown = caller;
  for (const key of path.split('.')) target = (target as Record<string, unknown>)[key];
  return target as AnyCall;
}

/** The id fields of each procedure's input, read from its Zod schemas. */
function idFieldsByProcedure(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [path, procedure] of Object.entries(appRouter._def.procedures)) {
    const inputs = ((procedure as unknown as { _def: { inputs?: unknown[] } })._def.inputs ?? []) as {
      shape?: object;
    }[];
    const fields = inputs
      .flatMap((schema) => Object.keys(schema.shape ?? {}))
      .filter((key) => ID_FIELD.test(key) && !NOT_AN_ID.has(key));
    if (fields.length > 0) found.set(path, [...new Set(fields)].sort());
  }
  return found;
}

let h: Harness;
let ada: SignedIn;
let bob: SignedIn;
let ids: Ids;
const SENTINEL: Ids = {
  adaProvider: 'ada-provider',
  adaChat: 'ada-chat',
  adaQuestion: 'ada-question',
  adaReply: 'ada-reply',
  adaSession: 'ada-session',
  adaApiKey: 'ada-api-key',
  adaUser: 'ada-user',
  bobChat: 'bob-chat',
  bobProvider: 'bob-provider',
};

beforeAll(async () => {
  h = await createHarness();
  h.useModel(mockModel({ deltas: ['Her ', 'answer.'] }));
  ada = await h.signUp('ada@tenants.example');
  bob = await h.signUp('bob@tenants.example');
  const asAda = await h.caller(ada.headers);
  const asBob = await h.caller(bob.headers);
  const mock = { kind: 'openai-compatible', baseUrl: 'http://localhost:9/v1', defaultModel: 'mock-model' } as const;
  const adaProvider = await asAda.providers.create({ ...mock, name: 'Ada’s', apiKey: 'sk-ada-secret' });
  const bobProvider = await asBob.providers.create({ ...mock, name: 'Bob’s' });
  const adaChat = await asAda.chat.create({ providerId: adaProvider.id, title: 'Ada’s chat' });
  const bobChat = await asBob.chat.create({ providerId: bobProvider.id, title: 'Bob’s chat' });
  const sent = await asAda.chat.send({ chatId: adaChat.id, text: 'her question' });
  const key = await asAda.auth.apiKeys.create({ name: 'Ada’s key' });
  ids = {
    adaProvider: adaProvider.id,
    adaChat: adaChat.id,
    adaQuestion: sent.userMessage.id,
    adaReply: sent.assistantMessage.id,
    adaSession: ada.sessionId,
    adaApiKey: key.id,
    adaUser: ada.userId,
    bobChat: bobChat.id,
    bobProvider: bobProvider.id,
  };
  // Her reply finished, so that nothing Bob does races its generation.
  for (let waited = 0; waited < 5_000; waited += 20) {
    const page = await asAda.chat.messages({ chatId: adaChat.id });
    if (page.items.every((m) => m.status !== 'streaming')) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
afterAll(async () => {
  await h.close();
});

describe('the table', () => {
  it('lists every procedure that takes an id, and every id field of each, holding one of Ada’s ids', () => {
    const byProcedure = idFieldsByProcedure();
    expect(Object.keys(TABLE).sort()).toEqual([...byProcedure.keys()].sort());
    const adaValues = new Set(
      Object.entries(SENTINEL)
        .filter(([name]) => name.startsWith('ada'))
        .map(([, v]) => v),
    );
    for (const [path, fields] of byProcedure) {
      const covered = new Set(
        (TABLE[path] ?? []).flatMap((c) =>
          Object.entries(c.input(SENTINEL))
            .filter(([, value]) => adaValues.has(value as string))
            .map(([field]) => field),
        ),
      );
      expect([path, [...covered].sort()]).toEqual([path, fields]);
    }
  });
});

describe('who may not: Bob with Ada’s ids', () => {
  const cases = Object.entries(TABLE).flatMap(([path, list]) =>
    list.map((c) => ({ path, ...c, code: c.code ?? 'NOT_FOUND' })),
  );

  it.each(cases)('$path: $what → $code', async ({ path, input, code }) => {
    const asBob = await h.caller(bob.headers);
    const error = await procedureAt(asBob, path)(input(ids)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect([path, (error as TRPCError).code]).toEqual([path, code]);
    // The refusal does not say whose it is.
    expect((error as TRPCError).message).not.toContain('ada');
  });

  it('left everything of Ada’s as it was', async () => {
    const asAda = await h.caller(ada.headers);
    const provider = await asAda.providers.get({ id: ids.adaProvider });
    expect(provider.name).toBe('Ada’s');
    const chat = await asAda.chat.get({ id: ids.adaChat });
    expect(chat.title).toBe('Ada’s chat');
    const messages = await asAda.chat.messages({ chatId: ids.adaChat });
    expect(messages.items.map((m) => m.id).sort()).toEqual([ids.adaQuestion, ids.adaReply].sort());
    expect(messages.items.find((m) => m.id === ids.adaReply)?.text).toBe('Her answer.');
    expect((await asAda.auth.apiKeys.list()).map((k) => k.id)).toContain(ids.adaApiKey);
    expect((await asAda.users.me()).role).toBe('user');
    const bobs = await (await h.caller(bob.headers)).chat.list({});
    expect(bobs.items.map((c) => c.id)).toEqual([ids.bobChat]);
  });
});

// The input policy at the edge (issue 13, item 1), over real HTTP: NUL bytes and lone surrogates refused naming the
// field on tRPC, REST and Better Auth; bodies nested 10,000 deep refused with 400; superjson metadata naming classes
// or building references refused; dates outside PostgreSQL's range and forged cursors a 400; image URLs https: or
// data:image/ only. Each of these answered 500 (or accepted javascript:) before.
import { TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatsCursor, MessagesCursor } from '../src/modules/chat/service.ts';
import { inputFault, jsonTooDeep } from '../src/shared/lib/input-policy.ts';
import { deserialize } from '../src/shared/lib/wire.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

let server: TestServer;
let ada: Client;
let chatId: string;

beforeAll(async () => {
  server = await startServer();
  ada = new Client(server.url);
  const signUp = await ada.postJson('/api/auth/sign-up/email', {
    email: 'ada-input@example.com',
    password: 'correct horse battery staple',
    name: 'Ada',
  });
  expect(signUp.status).toBe(200);
  chatId = (await ada.trpc().chat.create.mutate({ title: 'kept' })).id;
});
afterAll(async () => {
  await server.close();
});

async function trpcError(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  return (error as TRPCClientError<never>).data as unknown as {
    httpStatus: number;
    appCode: string;
    zodError?: { fieldErrors: Record<string, string[]> };
  };
}

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

describe('strings PostgreSQL cannot store', () => {
  it('a NUL byte in a tRPC mutation is a 400 naming the field', async () => {
    const data = await trpcError(ada.trpc(false).chat.create.mutate({ title: 'a\u0000b' }));
    expect(data).toMatchObject({ httpStatus: 400, appCode: 'VALIDATION_FAILED' });
    expect(Object.keys(data.zodError?.fieldErrors ?? {})).toEqual(['title']);
  });

  it('a NUL byte in a nested id, a lone surrogate in a GET query (fast path and batch) are 400s naming the field', async () => {
    const nul = await trpcError(ada.trpc(false).chat.messages.query({ chatId: '\u0000' }));
    expect(nul).toMatchObject({ httpStatus: 400, zodError: { fieldErrors: { chatId: [expect.any(String)] } } });
    const lone = await trpcError(ada.trpc(false).chat.list.query({ search: 'x\uD800y' }));
    expect(lone).toMatchObject({ httpStatus: 400, zodError: { fieldErrors: { search: [expect.any(String)] } } });
    const batched = await trpcError(ada.trpc(true).chat.list.query({ search: '\uDC00' }));
    expect(batched.httpStatus).toBe(400);
  });

  it('over REST: a NUL byte in a body field or a path parameter is a 400', async () => {
    const body = await ada.postJson('/api/v1/chats', { title: 'a\u0000' });
    expect(body.status).toBe(400);
    expect(await body.text()).toContain('title');
    // trpc-to-openapi matches no route for a NUL in the path: a 404, never a 500.
    const path = await ada.postJson('/api/v1/messages/%00/stop', {});
    expect([400, 404]).toContain(path.status);
    const query = await ada.fetch(`/api/v1/chats?search=${encodeURIComponent('\u0000')}`);
    expect(query.status).toBe(400);
  });

  it("on Better Auth's routes: a NUL byte in the body or the query string is a 400 naming the field", async () => {
    const signIn = await new Client(server.url).postJson('/api/auth/sign-in/email', {
      email: 'ada-input@example.com\u0000',
      password: 'x',
    });
    expect(signIn.status).toBe(400);
    expect(((await signIn.json()) as { message: string }).message).toContain('body.email');
    const verify = await new Client(server.url).fetch('/api/auth/verify-email?token=%00');
    expect(verify.status).toBe(400);
  });
});

describe('keys the schema does not name', () => {
  it("never reach a procedure: a GET query's userId does not list another user's chats (fast path)", async () => {
    const bob = new Client(server.url);
    const signUp = await bob.postJson('/api/auth/sign-up/email', {
      email: 'bob-input@example.com',
      password: 'correct horse battery staple',
      name: 'Bob',
    });
    const bobId = ((await signUp.json()) as { user: { id: string } }).user.id;
    await bob.trpc().chat.create.mutate({ title: 'Bob private' });
    const input = encodeURIComponent(JSON.stringify({ json: { userId: bobId } }));
    const response = await ada.fetch(`/trpc/chat.list?input=${input}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { data: { json: { items: { title: string }[] } } } };
    expect(body.result.data.json.items.map((c) => c.title)).toEqual(['kept']);
    const rest = (await (await ada.fetch(`/api/v1/chats?userId=${bobId}`)).json()) as { items: { title: string }[] };
    expect(rest.items.map((c) => c.title)).toEqual(['kept']);
    // A key of the wrong type was a 500 (the SQL got a boolean for the user id).
    expect((await ada.fetch(`/trpc/chat.list?input=${encodeURIComponent('{"json":{"userId":true}}')}`)).status).toBe(
      200,
    );
  });
});

describe('bodies nested too deep', () => {
  const post = (path: string, body: string, client = ada) =>
    client.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('a 10,000-deep JSON body is a 400 on tRPC, REST and Better Auth', async () => {
    expect((await post('/trpc/chat.create', `{"json":${deep(10_000)}}`)).status).toBe(400);
    expect((await post('/api/v1/chats', deepObject(10_000))).status).toBe(400);
    expect((await post('/api/auth/sign-in/email', deepObject(10_000), new Client(server.url))).status).toBe(400);
    expect((await ada.fetch(`/trpc/chat.list?input=${encodeURIComponent(`{"json":${deep(2_000)}}`)}`)).status).toBe(
      400,
    );
  });

  it('a body at a sane depth still works, brackets inside strings do not count', async () => {
    const response = await post('/trpc/chat.create', JSON.stringify({ json: { title: '[[[[{{{{'.repeat(20) } }));
    expect(response.status).toBe(200);
  });

  it('counts depth without parsing', () => {
    expect(jsonTooDeep(deep(64))).toBe(false);
    expect(jsonTooDeep(deep(65))).toBe(true);
    expect(jsonTooDeep(JSON.stringify({ a: '['.repeat(1000), b: '\\"[[' }))).toBe(false);
    expect(inputFault(JSON.parse(deep(100)))?.message).toContain('nested deeper');
    expect(inputFault({ a: [{ 'k\u0000': 1 }] })?.field).toBe('a.0.(key)');
  });
});

describe('body size per route', () => {
  it('a body over 256 KiB is a 413 unless it carries a message; a message keeps the larger limit', async () => {
    const big = 'x'.repeat(300 * 1024);
    const prompt = await ada.postJson('/trpc/users.updatePreferences', { json: { systemPrompt: big } });
    expect(prompt.status).toBe(413);
    expect((await ada.postJson('/api/v1/users/me/preferences', { systemPrompt: big })).status).toBe(413);
    // Past the size check: the message is only too long for MAX_MESSAGE_CHARS (400), not too large (413).
    const send = await ada.postJson('/trpc/chat.send', { json: { chatId, text: big } });
    expect(send.status).toBe(400);
    expect((await ada.postJson(`/api/v1/chats/${chatId}/messages`, { text: big })).status).toBe(400);
  });
});

describe('superjson metadata in input', () => {
  const post = (body: unknown) =>
    ada.fetch('/trpc/chat.create', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('naming a class, a custom type or a symbol is a 400, before superjson looks for it', async () => {
    for (const type of [
      ['class', 'Object'],
      ['custom', 'x'],
      ['symbol', 'x'],
      ['typed-array', 'Uint8Array'],
    ]) {
      const response = await post({ json: { title: 'x' }, meta: { values: { title: [type] }, v: 1 } });
      expect(response.status, JSON.stringify(type)).toBe(400);
    }
    const query = await ada.fetch(
      `/trpc/chat.list?input=${encodeURIComponent(JSON.stringify({ json: {}, meta: { values: [['class', 'X']] } }))}`,
    );
    expect(query.status).toBe(400);
  });

  it('referential equalities are a 400; Dates and undefined still decode', async () => {
    const refs = await post({ json: { title: 'x' }, meta: { referentialEqualities: { title: ['systemPrompt'] } } });
    expect(refs.status).toBe(400);
    // A reference to the root builds a cycle from a few bytes.
    const cycle = await post({ json: { title: 'x', a: {} }, meta: { referentialEqualities: [['a', 'a.b.c']] } });
    expect(cycle.status).toBe(400);
    const viaQuery = await ada.fetch(
      `/trpc/chat.list?input=${encodeURIComponent(JSON.stringify({ json: { search: {} }, meta: { referentialEqualities: [['search']] } }))}`,
    );
    expect(viaQuery.status).toBe(400);
    const ok = await post(superjson.serialize({ title: 'dated', model: undefined }));
    expect(ok.status).toBe(200);
  });

  it('deserialize refuses what superjson would build, and passes what clients send', () => {
    const date = new Date('2026-01-02T03:04:05.000Z');
    expect(deserialize(superjson.serialize({ d: date, u: undefined, n: Number.NaN }))).toEqual({
      d: date,
      u: undefined,
      n: Number.NaN,
    });
    const shared = { a: 1 };
    expect(() => deserialize(superjson.serialize({ x: shared, y: shared }))).toThrow(/referential/);
    expect(() => deserialize({ json: {}, meta: { values: [['class', 'X']] } } as never)).toThrow(/type/);
    expect(() => deserialize({ json: 1, meta: 'x' } as never)).toThrow(/malformed/);
  });
});

describe('dates and cursors', () => {
  it('a usage range outside PostgreSQL dates is a 400 (year 275760 was a 500), over tRPC and REST', async () => {
    const far = await trpcError(ada.trpc(false).users.usage.query({ from: new Date(8.64e15) }));
    expect(far).toMatchObject({ httpStatus: 400, zodError: { fieldErrors: { from: [expect.any(String)] } } });
    const early = await trpcError(ada.trpc(false).users.usage.query({ to: new Date(-8.64e15) }));
    expect(early.httpStatus).toBe(400);
    const rest = await ada.fetch('/api/v1/users/me/usage?from=275760-09-13T00:00:00.000Z');
    expect(rest.status).toBe(400);
    expect((await ada.trpc().users.usage.query({ from: new Date('2026-01-01') })).totals).toBeDefined();
  });

  it('a cursor altered by the client is INVALID_CURSOR; the one given out still pages', async () => {
    const api = ada.trpc();
    for (let i = 0; i < 3; i++) await api.chat.create.mutate({ title: `page ${i}` });
    const first = await api.chat.list.query({ limit: 1 });
    const given = first.nextCursor as string;
    expect((await api.chat.list.query({ limit: 1, cursor: given })).items).toHaveLength(1);
    const [payload, tag] = given.split('.') as [string, string];
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { t: string; id: string };
    const moved = Buffer.from(JSON.stringify({ ...value, t: '2000-01-01T00:00:00.000Z' })).toString('base64url');
    for (const altered of [`${moved}.${tag}`, payload, `${payload}.`, `${payload}.${'A'.repeat(tag.length)}`]) {
      const data = await trpcError(ada.trpc(false).chat.list.query({ limit: 1, cursor: altered }));
      expect(data, altered).toMatchObject({ httpStatus: 400, appCode: 'INVALID_CURSOR' });
    }
  });

  it('cursors holding values PostgreSQL refuses are INVALID_CURSOR (400), even correctly signed', async () => {
    // Signed with the server's own key (same process): the value checks behind the MAC.
    // encode() is typed, not checked: cast to sign the odd values a forger would need the key for.
    const cursor = (value: unknown) => ChatsCursor.encode(value as never);
    const forged = [
      cursor({ t: '+275760-09-13T00:00:00.000Z', id: 'x' }),
      cursor({ t: '-271821-04-20T00:00:00.000Z', id: 'x' }),
      cursor({ t: '2026-01-01T00:00:00.000Z', id: 'a\u0000' }),
      cursor({ t: '2026-01-01T00:00:00.000Z', id: 'x'.repeat(65) }),
      cursor({ t: 5, id: 'x' }),
      '!!!',
    ];
    for (const c of forged) {
      const data = await trpcError(ada.trpc(false).chat.list.query({ cursor: c }));
      expect(data, c).toMatchObject({ httpStatus: 400, appCode: 'INVALID_CURSOR' });
    }
    for (const seq of [1e300, -1.5, '1']) {
      const data = await trpcError(
        ada.trpc(false).chat.messages.query({ chatId, cursor: MessagesCursor.encode({ seq } as never) }),
      );
      expect(data).toMatchObject({ httpStatus: 400, appCode: 'INVALID_CURSOR' });
    }
  });
});

describe("Better Auth's profile fields", () => {
  it('a name that is null, blank, not a string or too long is a 400 on update-user and sign-up (null was a 500)', async () => {
    for (const name of [null, '   ', 123, 'x'.repeat(101)]) {
      expect((await ada.postJson('/api/auth/update-user', { name })).status, JSON.stringify(name)).toBe(400);
      const signUp = await new Client(server.url).postJson('/api/auth/sign-up/email', {
        email: 'named@example.com',
        password: 'correct horse battery staple',
        name,
      });
      expect(signUp.status, JSON.stringify(name)).toBe(400);
    }
    expect((await ada.postJson('/api/auth/update-user', { name: 'Ada L.' })).status).toBe(200);
    expect((await ada.trpc().users.me.query()).name).toBe('Ada L.');
  });

  it('a refused key named like a prototype field is a 400, not a 500 (superjson would not write it back)', async () => {
    const response = await ada.postJson('/trpc/auth.apiKeys.create', { json: { name: 'k', constructor: 'a\u0000b' } });
    expect(response.status).toBe(400);
  });
});

describe('image URLs', () => {
  it('users.updateProfile takes https: and data:image/ only', async () => {
    for (const image of ['javascript:alert(1)', 'http://img.example/a.png', 'data:text/html,<b>x</b>', 'vbscript:x']) {
      const data = await trpcError(ada.trpc(false).users.updateProfile.mutate({ image }));
      expect(data, image).toMatchObject({
        httpStatus: 400,
        zodError: { fieldErrors: { image: [expect.any(String)] } },
      });
    }
    for (const image of ['https://img.example/a.png', 'data:image/png;base64,iVBORw0KGgo=']) {
      expect((await ada.trpc().users.updateProfile.mutate({ image })).image).toBe(image);
    }
  });

  it("Better Auth's update-user refuses javascript: (it stored it before) and keeps https:", async () => {
    const bad = await ada.postJson('/api/auth/update-user', { image: 'javascript:alert(1)' });
    expect(bad.status).toBe(400);
    expect((await ada.trpc().users.me.query()).image).toBe('data:image/png;base64,iVBORw0KGgo=');
    const good = await ada.postJson('/api/auth/update-user', { image: 'https://img.example/b.png' });
    expect(good.status).toBe(200);
    expect((await ada.trpc().users.me.query()).image).toBe('https://img.example/b.png');
  });
});

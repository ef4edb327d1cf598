// Fuzz (issue 13, item 2): every tRPC procedure, every REST route and Better Auth's input routes, called over real
// HTTP as a signed-in user with inputs generated from the procedure's Zod schema (helpers/fuzz.ts) mixed with hostile
// strings, numbers, dates, shapes, superjson metadata and raw bodies. No answer may be a 5xx, the server must still
// be ready after, another user's rows must be exactly as they were, and no answer may show them.
// The admin procedures get 200 more calls from an admin, aimed at anyone but that other user.
// Seeded (FUZZ_SEED) and bounded (FUZZ_MS, default 15 s; FUZZ_RUNS, default 6,000 calls) so CI stays fast;
// `pnpm fuzz` runs it for longer. A failure prints the seed and the calls that failed, to replay them.
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { sql } from 'drizzle-orm';
import superjson from 'superjson';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appRouter } from '../src/router.ts';
import { EXTRA_OPERATION_IDS } from '../src/shared/openapi.ts';
import { REST_BASE_PATH } from '../src/shared/rest-base-path.ts';
import { generate, HOSTILE_STRINGS, hostileValue, nested, pick, type Rng, seeded } from './helpers/fuzz.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';
import { rowsOf, seedChat, tablesWithUserId } from './helpers/seed.ts';

// FUZZ_SEED=random (what `pnpm fuzz` uses unless told) picks one; the failure message prints it.
const SEED =
  process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED ?? 13);
const BUDGET_MS = Number(process.env.FUZZ_MS ?? 15_000);
const MAX_RUNS = Number(process.env.FUZZ_RUNS ?? 6_000);
const PARALLEL = 4;
const PASSWORD = 'correct horse battery staple';

type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: unknown[] } };
const PROCEDURES = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

/** Words only Bob's rows hold (his provider key among them): no answer to Ada may contain one. */
const BOB_MARKS = [
  'bob-provider-name-3e1f',
  'bob-chat-title-9c2d',
  'bob-system-prompt-5a7b',
  'sk-bob-key-1d4c',
] as const;

/** Ada's provider key: no answer, even to Ada, may carry it (outputs show a hint only). */
const ADA_KEY = 'sk-ada-key-8e2b6f0a';

let server: TestServer;
let fake: FakeProvider;
let ada: Client;
/** An admin: the admin procedures' inputs get past the role check (aimed at no one's id but hers). */
let carol: Client;
let bobId: string;
let strings: string[];
let providerNote = '';
let restRoutes: { method: string; path: string; procedure?: string }[];

async function signUp(client: Client, email: string): Promise<string> {
  const response = await client.postJson('/api/auth/sign-up/email', { email, password: PASSWORD, name: email });
  expect(response.status).toBe(200);
  return ((await response.json()) as { user: { id: string } }).user.id;
}

/** Everything of Bob's in every table with a user_id, and his user row: what the fuzzing must not change. */
async function bobsRows(): Promise<string> {
  const db = server.database.db;
  const tables: Record<string, string[]> = {};
  for (const table of tablesWithUserId()) {
    const rows = await rowsOf(db, sql`select * from ${sql.identifier(table)} where user_id = ${bobId}`);
    tables[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  tables.user = (await rowsOf(db, sql`select * from "user" where id = ${bobId}`)).map((r) => JSON.stringify(r));
  return JSON.stringify(tables);
}

beforeAll(async () => {
  // Error lines only: a 5xx's cause is printed with the failures.
  [server, fake] = await Promise.all([
    startServer({ captureLogs: true, env: { LOG_LEVEL: 'error', ADMIN_EMAILS: 'carol-fuzz@example.com' } }),
    startFakeProvider(),
  ]);
  ada = new Client(server.url);
  const bob = new Client(server.url);
  const adaId = await signUp(ada, 'ada-fuzz@example.com');
  bobId = await signUp(bob, 'bob-fuzz@example.com');

  // Bob's rows, and their ids in Ada's pool of strings: the fuzzer tries them everywhere an id goes.
  const bobApi = bob.trpc();
  const bobProvider = await bobApi.providers.create.mutate({
    kind: 'openai',
    name: BOB_MARKS[0],
    apiKey: BOB_MARKS[3],
  });
  const bobChat = await bobApi.chat.create.mutate({ title: BOB_MARKS[1], providerId: bobProvider.id });
  const bobSeeded = await seedChat(server.database.db, { userId: bobId, pairs: 3 });
  const bobKey = await bobApi.auth.apiKeys.create.mutate({ name: 'bob' });
  await bobApi.users.updatePreferences.mutate({ systemPrompt: BOB_MARKS[2] });
  const bobSessions = await bobApi.auth.listSessions.query();

  carol = new Client(server.url);
  await signUp(carol, 'carol-fuzz@example.com');
  const adaApi = ada.trpc();
  const adaChats = [
    (await adaApi.chat.create.mutate({ title: 'Ada one' })).id,
    await seedChat(server.database.db, { userId: adaId, pairs: 30 }),
  ];
  // A provider on the fake (if this server lets providers reach 127.0.0.1), so sends can really generate.
  const adaProvider = await adaApi.providers.create
    .mutate({
      kind: 'openai-compatible',
      name: 'Fake',
      baseUrl: fake.baseUrl,
      apiKey: ADA_KEY,
      defaultModel: 'fake-large',
    })
    .then((p) => p.id)
    .catch(() => 'no-provider');
  providerNote = adaProvider === 'no-provider' ? 'no provider on the fake' : 'a provider on the fake';
  if (adaProvider !== 'no-provider') {
    await adaApi.users.updatePreferences.mutate({ defaultProviderId: adaProvider, defaultModel: 'fake-large' });
  }
  const page = await adaApi.chat.messages.query({ chatId: adaChats[1] as string, limit: 5 });
  const chatsPage = await adaApi.chat.list.query({ limit: 1 });
  strings = [
    ...adaChats,
    adaProvider,
    ...page.items.map((m) => m.id),
    page.nextCursor ?? 'c',
    chatsPage.nextCursor ?? 'c',
    bobChat.id,
    bobSeeded,
    `${bobSeeded}-1`,
    `${bobSeeded}-2`,
    bobProvider.id,
    bobKey.id,
    ...bobSessions.map((s) => s.id),
    bobId,
    adaId,
    'bob-fuzz@example.com',
    'fake-large',
    'gpt-4o',
  ];

  const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  const byOperation = new Map(PROCEDURES.map(([name]) => [name.replace(/\./g, '-'), name]));
  restRoutes = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      // Only the procedures' routes under /api/v1 (the document also describes Better Auth, streams and /v1).
      .filter(([, operation]) => operation.operationId && !EXTRA_OPERATION_IDS.has(operation.operationId))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path: `${REST_BASE_PATH}${path}`,
        procedure: byOperation.get(operation.operationId ?? ''),
      })),
  );
  expect(restRoutes.length).toBeGreaterThan(25);
}, 60_000);

afterAll(async () => {
  await Promise.all([server?.close(), fake?.close()]);
});

interface Call {
  label: string;
  url: string;
  init: RequestInit;
  /** Subscriptions: only the status matters; the stream is dropped once its headers arrive. */
  stream?: boolean;
}

const inputOf = (name: string) => PROCEDURES.find(([n]) => n === name)?.[1]._def.inputs[0];

/** superjson's encoding, sometimes with metadata no client should send. */
function encode(rng: Rng, input: unknown): unknown {
  let encoded: { json: unknown; meta?: Record<string, unknown> };
  try {
    encoded = superjson.serialize(input) as typeof encoded;
  } catch {
    // superjson itself refuses risky keys (constructor, __proto__): send them as plain JSON.
    encoded = { json: input };
  }
  const roll = rng();
  if (roll < 0.04) return { json: encoded.json, meta: { values: { title: [['class', 'Object']] }, v: 1 } };
  if (roll < 0.06) return { json: encoded.json, meta: { values: [['custom', 'x']] } };
  if (roll < 0.08) return { json: encoded.json, meta: { referentialEqualities: { '': ['a', 'a.a', 'a.a.a'] } } };
  if (roll < 0.09) return { json: encoded.json, meta: { values: { a: ['Date'] }, v: 'x' } };
  if (roll < 0.14) {
    // A type inputs may carry, on a field that holds something else (a string read as a BigInt, a RegExp, …).
    const keys = encoded.json && typeof encoded.json === 'object' ? Object.keys(encoded.json) : [];
    const path = keys.length > 0 ? pick(rng, keys) : '';
    const type = pick(rng, ['bigint', 'regexp', 'set', 'map', 'URL', 'Date', 'number', 'undefined']);
    return { json: encoded.json, meta: { values: path ? { [path]: [type] } : [type], v: 1 } };
  }
  return encoded;
}

/** A raw body no client library would produce. */
function rawBody(rng: Rng, valid: string): string {
  switch (Math.floor(rng() * 5)) {
    case 0:
      return `{"json":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    case 1:
      return valid.slice(0, Math.floor(valid.length / 2));
    case 2:
      return '{"json":{"\\u0000":"\\ud800"}}';
    case 3:
      return JSON.stringify({ json: nested(63) });
    default:
      return '"__proto__"';
  }
}

/** Sometimes, keys no schema names that would reach Bob's rows if they got through (mass assignment). */
function withForeignKeys(rng: Rng, input: unknown): unknown {
  if (rng() >= 0.05 || !input || typeof input !== 'object' || Array.isArray(input) || input instanceof Date) {
    return input;
  }
  return { ...input, userId: bobId, user_id: bobId, ownerId: bobId };
}

/** A call with `given` as its input when one is passed (null included), else a generated one. */
function trpcCall(rng: Rng, name: string, type: string, given?: { input: unknown }): Call {
  const input = given ? given.input : withForeignKeys(rng, generate(inputOf(name), { rng, strings }));
  const encoded = JSON.stringify(encode(rng, input));
  if (type === 'mutation') {
    const body = rng() < 0.08 ? rawBody(rng, encoded) : encoded;
    return {
      label: `POST /trpc/${name} ${body.slice(0, 300)}`,
      url: `/trpc/${name}`,
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body },
    };
  }
  const batch = rng() < 0.2;
  const query = batch
    ? `batch=1&input=${encodeURIComponent(JSON.stringify({ 0: JSON.parse(encoded), 1: JSON.parse(encoded) }))}`
    : `input=${encodeURIComponent(encoded)}`;
  const path = batch ? `${name},${name}` : name;
  return {
    label: `GET /trpc/${path}?${query.slice(0, 300)}`,
    url: `/trpc/${path}?${query}`,
    init: type === 'subscription' ? { headers: { accept: 'text/event-stream' } } : {},
    stream: type === 'subscription',
  };
}

const asParam = (value: unknown) =>
  value instanceof Date ? (Number.isNaN(value.getTime()) ? 'Invalid' : value.toISOString()) : String(value);

/** encodeURIComponent, but a lone surrogate goes out as the bytes of one (invalid UTF-8) instead of throwing. */
const encodePart = (value: string) =>
  value.isWellFormed() ? encodeURIComponent(value) : `${encodeURIComponent(value.toWellFormed())}%ED%A0%80`;

function restCall(rng: Rng, route: { method: string; path: string; procedure?: string }): Call {
  const generated = withForeignKeys(
    rng,
    route.procedure ? generate(inputOf(route.procedure), { rng, strings }) : hostileValue(rng),
  );
  const input: Record<string, unknown> =
    generated && typeof generated === 'object' && !Array.isArray(generated) ? { ...generated } : {};
  const path = route.path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = key in input ? input[key] : pick(rng, strings);
    delete input[key];
    return encodePart(asParam(value));
  });
  if (route.method === 'GET' || route.method === 'DELETE') {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(input)) if (value !== undefined) query.set(key, asParam(value));
    if (rng() < 0.1) query.set(pick(rng, ['input', 'cursor', 'api_key']), pick(rng, HOSTILE_STRINGS));
    return {
      label: `${route.method} ${path}?${query}`.slice(0, 400),
      url: `${path}?${query}`,
      init: { method: route.method },
    };
  }
  const valid = JSON.stringify(rng() < 0.1 ? hostileValue(rng) : input);
  const body = rng() < 0.08 ? rawBody(rng, valid) : valid;
  return {
    label: `${route.method} ${path} ${body.slice(0, 300)}`,
    url: path,
    init: { method: route.method, headers: { 'content-type': 'application/json' }, body },
  };
}

/** Better Auth's routes that take input and leave Ada able to sign in (no password change, no deletion). */
const AUTH_ROUTES = [
  'sign-in/email',
  'sign-up/email',
  'update-user',
  'revoke-session',
  'forget-password',
  'reset-password',
  'verify-email',
  'api-key/create',
  'api-key/delete',
  'api-key/verify',
];
const AUTH_FIELDS = [
  'email',
  'password',
  'name',
  'image',
  'token',
  'callbackURL',
  'keyId',
  'key',
  'newPassword',
  'expiresIn',
  'prefix',
  'rememberMe',
];

function authCall(rng: Rng): Call {
  const route = pick(rng, AUTH_ROUTES);
  const body: Record<string, unknown> = {};
  for (const field of AUTH_FIELDS) {
    if (rng() < 0.5) body[field] = rng() < 0.7 ? pick(rng, [...strings, ...HOSTILE_STRINGS]) : hostileValue(rng);
  }
  if (route === 'verify-email' || rng() < 0.1) {
    const token = encodePart(String(pick(rng, HOSTILE_STRINGS)).slice(0, 500));
    return {
      label: `GET /api/auth/${route}?token=${token}`.slice(0, 400),
      url: `/api/auth/${route}?token=${token}`,
      init: {},
    };
  }
  const valid = JSON.stringify(body);
  const text = rng() < 0.1 ? rawBody(rng, valid) : valid;
  return {
    label: `POST /api/auth/${route} ${text.slice(0, 300)}`,
    url: `/api/auth/${route}`,
    init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: text },
  };
}

function nextCall(rng: Rng): Call {
  const roll = rng();
  if (roll < 0.1) return authCall(rng);
  if (roll < 0.35) return restCall(rng, pick(rng, restRoutes));
  const [name, procedure] = pick(rng, PROCEDURES);
  return trpcCall(rng, name, procedure._def.type);
}

/** The start of a stream (its first events, for up to 300 ms): an error inside an SSE answer keeps status 200. */
async function streamStart(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  const timer = new Promise<null>((resolve) => setTimeout(() => resolve(null), 300));
  while (text.length < 4_000) {
    const chunk = await Promise.race([reader.read(), timer]);
    if (!chunk || chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text;
}

async function send(call: Call): Promise<number> {
  const controller = new AbortController();
  const response = await ada.fetch(call.url, { ...call.init, signal: controller.signal });
  if (!call.stream) {
    await response.arrayBuffer();
    return response.status;
  }
  const start = await streamStart(response).catch(() => '');
  controller.abort();
  // tRPC's code for INTERNAL_SERVER_ERROR inside an event: a 5xx all the same.
  return /INTERNAL_SERVER_ERROR|-32603/.test(start) ? 500 : response.status;
}

it(
  'no input gets a 5xx, the server stays ready, and no row of another user changes',
  async () => {
    const before = await bobsRows();
    const rng = seeded(SEED);
    const deadline = Date.now() + BUDGET_MS;
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let runs = 0;
    const worker = async () => {
      while (runs < MAX_RUNS && Date.now() < deadline) {
        runs++;
        const call = nextCall(rng);
        // A keep-alive socket the server closed (after a 431, say) can fail the next request on it: once more.
        const status = await send(call)
          .catch(() => send(call))
          .catch((error: Error) => {
            failures.push(`network error ${error.message} (${String(error.cause)}): ${call.label}`);
            return 0;
          });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) failures.push(`${status}: ${call.label}`);
        // The fuzzer may end its own session (auth.revokeSession and the like): sign in again.
        if (
          status === 401 &&
          !(await ada
            .trpc()
            .users.me.query()
            .catch(() => null))
        ) {
          await ada.postJson('/api/auth/sign-in/email', { email: 'ada-fuzz@example.com', password: PASSWORD });
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    // The admin procedures as an admin, with every id but Bob's (setRole would change his row).
    const others = strings.filter((value) => value !== bobId);
    for (let i = 0; i < 200; i++) {
      const name = i % 2 ? 'users.setRole' : 'users.list';
      const input = generate(inputOf(name), { rng, strings: others });
      // (an undefined input would make trpcCall generate one from every id, Bob's too)
      if (input === undefined || JSON.stringify(input).includes(bobId)) continue;
      // (a null input once fell through to a fresh one generated from every id, and set Bob's role: a flaky failure)
      const call = trpcCall(rng, name, i % 2 ? 'mutation' : 'query', { input });
      const response = await carol.fetch(call.url, call.init);
      await response.arrayBuffer();
      runs++;
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500) failures.push(`${response.status} (admin): ${call.label}`);
    }

    const stats = `fuzz seed ${SEED} (${providerNote}): ${runs} calls, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`;
    process.stdout.write(`${stats}\n`);
    const errorLines = server.logs.join('').slice(0, 20_000);
    expect(failures, `${stats}\nserver error lines:\n${errorLines}`).toEqual([]);
    expect(runs).toBeGreaterThan(100);
    const answers = await Promise.all(ada.bodies);
    for (const mark of [...BOB_MARKS, ADA_KEY])
      expect(
        answers.find((body) => body.includes(mark)),
        mark,
      ).toBeUndefined();
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    expect(await bobsRows()).toBe(before);
  },
  BUDGET_MS + 60_000,
);

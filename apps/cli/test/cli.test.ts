// The real `parley` command (the bundle, through bin/parley.js) as a child process against a real API server (also a
// child process) that talks to a fake OpenAI-compatible provider. Nothing in between is mocked.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyClient, type FetchLike } from '../src/client.ts';
import { followReply } from '../src/follow.ts';
import {
  type Api,
  BIN,
  createApiKey,
  freePort,
  type Run,
  type RunOptions,
  run as runCommand,
  scratchHome,
  startApi,
} from './helpers/harness.ts';

const SEED = new URL('../scripts/seed-demo.ts', import.meta.url).pathname;
const PROVIDER_SECRET = 'sk-test-never-printed-9f3a';

let api: Api;
let url: string;
let key: string;
let fake: FakeProvider;
/** The config every logged-in run uses (the login test writes it). */
const home = scratchHome();
const loggedInConfig = join(home, 'logged-in', 'config.json');

function run(command: string, args: string[], env: Record<string, string>, options?: RunOptions): Promise<Run> {
  return runCommand(command, args, { HOME: home, ...env }, options);
}

/** `parley …` with the logged-in config, unless env says otherwise. */
function parley(args: string[], env: Record<string, string> = {}, options?: RunOptions): Promise<Run> {
  return run(BIN, args, { PARLEY_CONFIG: loggedInConfig, ...env }, options);
}

beforeAll(async () => {
  fake = await startFakeProvider();
  api = await startApi(home);
  url = api.url;
  key = await createApiKey(url, 'cli@example.com');
});

afterAll(async () => {
  await api?.stop();
  await fake?.close();
});

describe('logging in', () => {
  it('is refused before login, then saves a 0600 config that later commands use', async () => {
    const before = await parley(['providers', 'list']);
    expect(before.code).toBe(3);
    expect(before.stderr).toContain('Not logged in: run `parley login --url');

    const login = await parley(['login', '--url', `${url}/`], {}, { input: `${key}\n` });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('cli@example.com');
    expect(statSync(loggedInConfig).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'logged-in')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(loggedInConfig, 'utf8'))).toEqual({ url, key });

    const listed = await parley(['providers', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    // As `pnpm --filter @parley/cli parley -- providers list --json` runs it: the `--` comes through.
    const viaPnpm = await parley(['--', 'providers', 'list', '--json']);
    expect(viaPnpm.code).toBe(0);
    expect(JSON.parse(viaPnpm.stdout)).toEqual([]);
  });

  it('without PARLEY_CONFIG keeps the config in ~/.config/parley; a refused key saves nothing', async () => {
    const otherHome = mkdtempSync(join(tmpdir(), 'parley-cli-home-'));
    const login = await run(BIN, ['login', '--url', url, '--json'], { HOME: otherHome }, { input: key });
    expect(login.code).toBe(0);
    expect(JSON.parse(login.stdout).user.email).toBe('cli@example.com');
    expect(statSync(join(otherHome, '.config', 'parley', 'config.json')).mode & 0o777).toBe(0o600);

    const refusedConfig = join(otherHome, 'refused', 'config.json');
    const refused = await run(
      BIN,
      ['login', '--url', url],
      { PARLEY_CONFIG: refusedConfig },
      { input: `parley_${'x'.repeat(64)}` },
    );
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/The server refused the API key \(UNAUTHORIZED\).*Run `parley login/);
    expect(() => statSync(refusedConfig)).toThrow();
  });
});

describe('providers and chat', () => {
  let providerId: string;
  let chatId: string;

  it('providers add never prints the key back; providers test lists the models', async () => {
    const added = await parley([
      'providers',
      'add',
      '--kind',
      'openai-compatible',
      '--name',
      'Fake',
      '--base-url',
      fake.baseUrl,
      '--api-key',
      PROVIDER_SECRET,
      '--model',
      'fake-large',
      '--json',
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain(PROVIDER_SECRET);
    const provider = JSON.parse(added.stdout);
    expect(provider).toMatchObject({ kind: 'openai-compatible', name: 'Fake', defaultModel: 'fake-large' });
    expect(provider.apiKeyHint).toMatch(/^sk-…/);
    providerId = provider.id;

    const human = await parley(['providers', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(providerId);
    expect(human.stdout).toContain(provider.apiKeyHint);
    expect(human.stdout).not.toContain(PROVIDER_SECRET);

    const tested = await parley(['providers', 'test', providerId]);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/^ok {2}\d+ ms {2}models: fake-large, fake-small\n$/);
  });

  it('providers test exits 1 with the reason when the provider refuses', async () => {
    fake.mode = 'unauthorized';
    try {
      const tested = await parley(['providers', 'test', providerId]);
      expect(tested.code).toBe(1);
      expect(tested.stdout).toMatch(/^not ok .*rejected the API key/);
    } finally {
      fake.mode = 'ok';
    }
  });

  it('chat prints exactly the reply and a newline; chats list shows the chat; --chat continues it', async () => {
    fake.reply = 'Hello there, this is the fake model speaking.';
    const sent = await parley(['chat', 'hello', '--provider', providerId]);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toBe(`${fake.reply}\n`);
    chatId = /New chat (\S+)/.exec(sent.stderr)?.[1] ?? '';
    expect(chatId).not.toBe('');

    const listed = await parley(['chats', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).items.map((c: { id: string }) => c.id)).toEqual([chatId]);
    expect((await parley(['chats', 'list'])).stdout).toContain(chatId);

    fake.reply = 'Second answer.';
    const again = await parley(['chat', 'and again', '--chat', chatId, '--json']);
    expect(again.code).toBe(0);
    const result = JSON.parse(again.stdout.trimEnd().split('\n').at(-1) ?? '');
    expect(result).toMatchObject({ chatId, message: { status: 'complete', text: 'Second answer.' } });

    // A second chat: one per page with --limit 1, both with --all (the pages walked, none left over).
    fake.reply = 'Another chat.';
    const other = /New chat (\S+)/.exec(
      (await parley(['chat', 'a second chat', '--provider', providerId])).stderr,
    )?.[1];
    const firstPage = JSON.parse((await parley(['chats', 'list', '--limit', '1', '--json'])).stdout);
    expect(firstPage.items.map((c: { id: string }) => c.id)).toEqual([other]);
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    const all = await parley(['chats', 'list', '--limit', '1', '--all', '--json']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual({
      items: [expect.objectContaining({ id: other }), expect.objectContaining({ id: chatId })],
      nextCursor: null,
    });
  });

  it('a reply that fails exits 1 with the reason on stderr', async () => {
    fake.mode = 'error';
    try {
      const failed = await parley(['chat', 'this will fail', '--chat', chatId]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/Error: the reply failed: \S+/);
    } finally {
      fake.mode = 'ok';
    }
  });

  it('export writes everything as JSON, without the provider key', async () => {
    const exported = await parley(['export']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain(PROVIDER_SECRET);
    const data = JSON.parse(exported.stdout);
    expect(data.user.email).toBe('cli@example.com');
    expect(data.providers.map((p: { id: string }) => p.id)).toEqual([providerId]);
    const chat = data.chats.find((c: { id: string }) => c.id === chatId);
    expect(chat.messages.map((m: { text: string }) => m.text)).toContain('hello');
  });

  it('a validation error names the field', async () => {
    const bad = await parley([
      'providers',
      'add',
      '--kind',
      'openai-compatible',
      '--name',
      'Bad',
      '--base-url',
      'ftp://x',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/BAD_REQUEST/);
    expect(bad.stderr).toMatch(/baseUrl: expected an http\(s\) URL/);
  });
});

describe('what fails, and how', () => {
  it('a wrong key is refused with a hint to log in again', async () => {
    const refused = await parley(['providers', 'list'], {
      PARLEY_URL: url,
      PARLEY_API_KEY: `parley_${'y'.repeat(64)}`,
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/The server refused the API key \(UNAUTHORIZED\)/);
    expect(refused.stderr).toMatch(/Run `parley login/);
  });

  it('an unreachable server is named, with the reason', async () => {
    const closedPort = await freePort();
    const down = await parley(['chats', 'list'], { PARLEY_URL: `http://127.0.0.1:${closedPort}`, PARLEY_API_KEY: key });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(
      `Error: Cannot reach the Parley server at http://127.0.0.1:${closedPort}: connect ECONNREFUSED 127.0.0.1:${closedPort}\n`,
    );

    // Port 9 is one fetch refuses to dial at all; login says so and saves nothing.
    const blocked = await parley(
      ['login', '--url', 'http://127.0.0.1:9'],
      { PARLEY_CONFIG: join(home, 'never', 'config.json') },
      { input: key },
    );
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/^Error: Cannot reach the Parley server at http:\/\/127\.0\.0\.1:9: bad port\n$/);
    expect(() => statSync(join(home, 'never', 'config.json'))).toThrow();
  });

  it('bad arguments exit 2 and name the problem', async () => {
    const missing = await parley(['providers', 'add', '--name', 'No kind']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--kind <kind>' not specified");

    const badKind = await parley(['providers', 'add', '--kind', 'nope', '--name', 'x']);
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toContain('Allowed choices are openai, anthropic, google, openai-compatible');

    const unknown = await parley(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('--help documents the commands and their options', async () => {
    const help = await parley(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['login', 'providers', 'chats', 'chat', 'export', '--json']) {
      expect(help.stdout).toContain(command);
    }
    const chatHelp = await parley(['chat', '--help']);
    expect(chatHelp.code).toBe(0);
    expect(chatHelp.stdout).toMatch(/--chat <id>[\s\S]*--provider <id>[\s\S]*--model <model>/);
  });
});

describe('following a reply', () => {
  it('resumes after a dropped connection from the last event id, printing nothing twice', async () => {
    const api = apiKeyClient(url, key);
    const provider = (await api.providers.list.query())[0];
    if (!provider) throw new Error('the providers tests add one first');
    fake.reply = 'one two three four five six seven eight nine ten eleven twelve';
    fake.delayMs = 40;
    try {
      const streamUrls: string[] = [];
      // Cuts the first chat.stream response right after its first text delta, like a network drop.
      const cutting: FetchLike = async (input, init) => {
        const response = await fetch(input, init);
        const target = String(input instanceof Request ? input.url : input);
        if (!target.includes('chat.stream')) return response;
        streamUrls.push(target);
        return streamUrls.length === 1 ? cutAfterFirstDelta(response) : response;
      };
      const following = apiKeyClient(url, key, cutting);
      const chat = await api.chat.create.mutate({ providerId: provider.id });
      const sent = await api.chat.send.mutate({ chatId: chat.id, text: 'count', clientRequestId: crypto.randomUUID() });

      const pieces: string[] = [];
      const retries: number[] = [];
      const final = await followReply(following, sent.assistantMessage.id, {
        onText: (text) => pieces.push(text),
        onRetry: (attempt) => retries.push(attempt),
        retryDelayMs: () => 50,
      });

      expect(final.status).toBe('complete');
      expect(pieces.join('')).toBe(fake.reply);
      expect(retries).toEqual([1]);
      expect(streamUrls).toHaveLength(2);
      // The second subscription asked for what followed the text already printed, mid-reply.
      const resumedFrom = Number(
        JSON.parse(new URL(streamUrls[1] ?? '').searchParams.get('input') ?? '{}').json?.lastEventId,
      );
      expect(resumedFrom).toBe(pieces[0]?.length);
      expect(resumedFrom).toBeGreaterThan(0);
      expect(resumedFrom).toBeLessThan(fake.reply.length);
    } finally {
      fake.delayMs = 0;
    }
  });
});

/** The same response, whose body errors right after the first chunk that carries a text delta. */
function cutAfterFirstDelta(response: Response): Response {
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      controller.enqueue(value);
      if (decoder.decode(value, { stream: true }).includes('text-delta')) {
        await reader.cancel();
        controller.error(new Error('connection cut by the test'));
      }
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

describe('the demo seed script', () => {
  it('signs up a demo user, makes a key, a provider and a chat, and prints them; the key works with the CLI', async () => {
    const seeded = await run(SEED, [], { PARLEY_URL: url, DEMO_PROVIDER_BASE_URL: fake.baseUrl });
    expect(seeded.stderr).toBe('');
    expect(seeded.code).toBe(0);
    const out = JSON.parse(seeded.stdout);
    expect(out).toMatchObject({ email: 'demo@example.com', userCreated: true, providerBaseUrl: fake.baseUrl });
    expect(out.apiKey).toMatch(/^parley_/);

    const chats = await parley(['chats', 'list', '--json'], { PARLEY_URL: url, PARLEY_API_KEY: out.apiKey });
    expect(JSON.parse(chats.stdout).items.map((c: { id: string }) => c.id)).toEqual([out.chatId]);

    // Run again: signs in instead, reuses the provider.
    const again = await run(SEED, [], { PARLEY_URL: url, DEMO_PROVIDER_BASE_URL: fake.baseUrl });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ userCreated: false, providerId: out.providerId });
  });
});

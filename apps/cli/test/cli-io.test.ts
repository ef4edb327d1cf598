// The CLI as a terminal program, through the bundle: its version, how the key and the message come in (a hidden
// prompt, stdin, never argv), `chat --json` as a stream of events, the exit codes, colours only on a terminal, and
// Node 20. Against a real API server and the fake provider, like cli.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyClient } from '../src/client.ts';
import {
  type Api,
  BIN,
  createApiKey,
  type Run,
  type RunOptions,
  run,
  scratchHome,
  startApi,
} from './helpers/harness.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;
const BUNDLE = new URL('../dist/parley.mjs', import.meta.url).pathname;
/** The machine's own Node (20 here), when it is not the one running the tests. */
const OTHER_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find(
  (path) => existsSync(path) && !spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.startsWith('v24'),
);
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));
const ESC = String.fromCharCode(27);

let api: Api;
let fake: FakeProvider;
let key: string;
let providerId: string;
const home = scratchHome();
const config = join(home, 'config.json');

function parley(args: string[], env: Record<string, string> = {}, options?: RunOptions): Promise<Run> {
  return run(BIN, args, { HOME: home, PARLEY_URL: api.url, PARLEY_API_KEY: key, ...env }, options);
}

/**
 * `parley …` on a pseudo-terminal (util-linux `script`), so stdin, stdout and stderr are all a TTY. `typed` is
 * written once `waitFor` has appeared, as a person types after seeing a prompt. Returns what the terminal showed.
 */
function onTerminal(
  args: string[],
  env: Record<string, string>,
  typed?: { waitFor: string; text: string },
): Promise<{ code: number | null; screen: string }> {
  const line = [process.execPath, BIN, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn(SCRIPT ?? 'script', ['-qefc', line, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', HOME: home, TERM: 'xterm', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let sent = false;
  child.stdout.on('data', (chunk) => {
    screen += chunk;
    if (typed && !sent && screen.includes(typed.waitFor)) {
      sent = true;
      child.stdin.write(typed.text);
    }
  });
  if (!typed) child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
}

beforeAll(async () => {
  fake = await startFakeProvider();
  api = await startApi(home);
  key = await createApiKey(api.url, 'io@example.com');
  const provider = await apiKeyClient(api.url, key).providers.create.mutate({
    kind: 'openai-compatible',
    name: 'Fake',
    baseUrl: fake.baseUrl,
    apiKey: 'sk-io-test',
    defaultModel: 'fake-large',
  });
  providerId = provider.id;
});

afterAll(async () => {
  await api?.stop();
  await fake?.close();
});

describe('what works', () => {
  it('--version prints the package version from the bundle, which is one file that loads no TypeScript', async () => {
    const version = await run(BIN, ['--version'], {});
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const bundle = readFileSync(BUNDLE, 'utf8');
    expect(bundle).not.toMatch(/from\s*["'][^"']*\.ts["']/);
    expect(bundle).not.toMatch(/from\s*["'](?:commander|@trpc\/client|superjson|eventsource)["']/);
  });

  it.skipIf(!OTHER_NODE)('runs on the machine’s older Node (20) too', async () => {
    const version = await run(BIN, ['-V'], {}, { node: OTHER_NODE ?? '' });
    expect(version.stdout).toBe(`${VERSION}\n`);
    const listed = await parley(['chats', 'list', '--json'], {}, { node: OTHER_NODE ?? '' });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveProperty('items');
  });

  it('login reads the key from stdin and saves it', async () => {
    const login = await run(
      BIN,
      ['login', '--url', api.url],
      { HOME: home, PARLEY_CONFIG: config },
      { input: `${key}\n` },
    );
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).not.toContain(key);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ url: api.url, key });
  });

  it.skipIf(!SCRIPT)('login on a terminal asks for the key without echoing it', async () => {
    const promptConfig = join(home, 'prompted.json');
    const { code, screen } = await onTerminal(
      ['login', '--url', api.url],
      { PARLEY_CONFIG: promptConfig },
      {
        waitFor: '(input hidden): ',
        text: `${key}\r`,
      },
    );
    expect(screen).toContain(`API key for ${api.url} (input hidden): `);
    expect(screen).toContain('Logged in to');
    expect(screen).not.toContain(key);
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(promptConfig, 'utf8'))).toEqual({ url: api.url, key });
  });

  it('providers add --api-key - reads the provider key from stdin and never prints it', async () => {
    const added = await parley(
      [
        'providers',
        'add',
        '--kind',
        'openai-compatible',
        '--name',
        'Piped',
        '--base-url',
        fake.baseUrl,
        '--api-key',
        '-',
      ],
      {},
      { input: 'sk-piped-secret-4242\n' },
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/key: sk-…/);
    expect(added.stdout).not.toContain('sk-piped-secret-4242');
    const listed = await apiKeyClient(api.url, key).providers.list.query();
    expect(listed.find((p) => p.name === 'Piped')?.apiKeyHint).toMatch(/4242$/);
  });

  it('chat - and a pipe without an argument read the message from stdin', async () => {
    fake.reply = 'Read from stdin.';
    const dash = await parley(['chat', '-', '--provider', providerId], {}, { input: 'a question\nover two lines\n' });
    expect(dash.code).toBe(0);
    expect(dash.stdout).toBe('Read from stdin.\n');
    const chatId = /New chat (\S+)/.exec(dash.stderr)?.[1] ?? '';
    const messages = await apiKeyClient(api.url, key).chat.messages.query({ chatId });
    expect(messages.items.map((m) => m.text)).toContain('a question\nover two lines');

    const piped = await parley(['chat', '--chat', chatId], {}, { input: 'piped\n' });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe('Read from stdin.\n');
  });

  it('chat --json streams one JSON event a line: started, the text deltas, then finish', async () => {
    fake.reply = 'one two three four';
    const sent = await parley(['chat', 'count', '--provider', providerId, '--json']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const events = sent.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; delta?: string; chatId?: string; message?: { text: string } });
    expect(events[0]?.type).toBe('started');
    expect(events.at(-1)).toMatchObject({ type: 'finish', message: { status: 'complete', text: fake.reply } });
    const deltas = events.slice(1, -1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((event) => event.type === 'text-delta')).toBe(true);
    expect(deltas.map((event) => event.delta).join('')).toBe(fake.reply);
    expect(new Set(events.map((event) => event.chatId).filter(Boolean)).size).toBe(1);
  });
});

describe('what fails, and how: the exit codes', () => {
  it('2 for the command line: a key in argv (nothing saved), no message, an empty message', async () => {
    const argvKey = await run(BIN, ['login', '--url', api.url, '--key', key], {
      HOME: home,
      PARLEY_CONFIG: join(home, 'argv.json'),
    });
    expect(argvKey.code).toBe(2);
    expect(argvKey.stderr).toMatch(/login does not take the key on the command line/);
    expect(argvKey.stderr).not.toContain(key);
    expect(existsSync(join(home, 'argv.json'))).toBe(false);

    const empty = await parley(['chat', '-'], {}, { input: '\n' });
    expect(empty).toMatchObject({ code: 2, stderr: 'Error: The message on stdin is empty.\n' });
    const noKey = await run(
      BIN,
      ['login', '--url', api.url],
      { HOME: home, PARLEY_CONFIG: join(home, 'none.json') },
      { input: '' },
    );
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/No API key given/);
  });

  it.skipIf(!SCRIPT)('2 for chat without a message on a terminal', async () => {
    const { code, screen } = await onTerminal(['chat'], { PARLEY_URL: api.url, PARLEY_API_KEY: key });
    expect(code).toBe(2);
    expect(screen).toContain('chat needs a message');
  });

  it('3 when not logged in or the key is refused', async () => {
    const out = await run(BIN, ['chats', 'list'], { HOME: home, PARLEY_CONFIG: join(home, 'nobody.json') });
    expect(out.code).toBe(3);
    const refused = await parley(['whoami'], { PARLEY_API_KEY: `parley_${'z'.repeat(64)}` });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/UNAUTHORIZED/);
    const exported = await parley(['export'], { PARLEY_API_KEY: `parley_${'z'.repeat(64)}` });
    expect(exported.code).toBe(3);
  });

  it('4 when a limit says no (too many replies generating at once)', async () => {
    const client = apiKeyClient(api.url, key);
    fake.reply = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    fake.delayMs = 50;
    const running: string[] = [];
    try {
      const chat = await client.chat.create.mutate({ providerId });
      // The server's default MAX_CONCURRENT_GENERATIONS is 3.
      for (let i = 0; i < 3; i++) {
        const other = await client.chat.create.mutate({ providerId });
        const sent = await client.chat.send.mutate({
          chatId: other.id,
          text: `busy ${i}`,
          clientRequestId: crypto.randomUUID(),
        });
        running.push(sent.assistantMessage.id);
      }
      const refused = await parley(['chat', 'one more', '--chat', chat.id]);
      expect(refused.stderr).toMatch(/TOO_MANY_REQUESTS/);
      expect(refused.code).toBe(4);
    } finally {
      fake.delayMs = 0;
      await Promise.all(running.map((messageId) => client.chat.stop.mutate({ messageId }).catch(() => {})));
    }
  });
});

describe('colours', () => {
  it('none in a pipe', async () => {
    const out = await run(BIN, ['chats', 'list'], { HOME: home, PARLEY_CONFIG: join(home, 'nobody.json') });
    expect(out.stderr).toBe('Error: Not logged in: run `parley login --url <server url>`.\n');
    expect(out.stderr).not.toContain(ESC);
  });

  it.skipIf(!SCRIPT)('on a terminal, unless NO_COLOR is set', async () => {
    const env = { PARLEY_CONFIG: join(home, 'nobody.json') };
    const coloured = await onTerminal(['chats', 'list'], env);
    expect(coloured.code).toBe(3);
    expect(coloured.screen).toContain(`${ESC}[31m${ESC}[1mError:${ESC}[22m${ESC}[39m Not logged in`);
    const plain = await onTerminal(['chats', 'list'], { ...env, NO_COLOR: '1' });
    expect(plain.code).toBe(3);
    expect(plain.screen).toContain('Error: Not logged in');
    expect(plain.screen).not.toContain(ESC);
  });
});

// The README's CLI sequence, read from the README itself and run as written, top to bottom, with the real `parley`
// bin on a fresh account against a real API server and a fake provider at the wire. Placeholders (`<id>`, `<model>`)
// take the values the earlier commands printed; `[--chat <id>]` is optional and left out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, BIN, createApiKey, type Run, run, scratchHome, startApi } from './helpers/harness.ts';

const README = new URL('../../../README.md', import.meta.url).pathname;
/** The README imports a ChatGPT export: the API's test fixture, built from ChatGPT's documented format. */
const CHATGPT_EXPORT = new URL('../../api/test/fixtures/chatgpt-conversations.json', import.meta.url).pathname;

let api: Api;
let fake: FakeProvider;
const home = scratchHome();

beforeAll(async () => {
  fake = await startFakeProvider();
  api = await startApi(home);
});
afterAll(async () => {
  await api?.stop();
  await fake?.close();
});

/** The lines of the README's CLI block (the sh block after "**CLI**"), comments and `pnpm` prefixes as written. */
function readmeCommands(): string[] {
  const text = readFileSync(README, 'utf8');
  const block = /\*\*CLI\*\*[\s\S]*?```sh\n([\s\S]*?)```/.exec(text)?.[1];
  if (!block) throw new Error('README has no CLI block');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** Splits a shell line into words (double quotes only, as the README uses them). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

function parley(config: string, args: string[], input?: string): Promise<Run> {
  return run(BIN, args, { HOME: home, PARLEY_CONFIG: config }, input === undefined ? {} : { input });
}

/** One README line run with the bin: its server and provider URLs ours, its placeholders filled, `> file` kept. */
function runLine(line: string, config: string, key: string, values: Record<string, string>): Promise<Run> {
  const command = (line.split(' > ')[0] ?? line)
    .replace(/\[--chat <id>\]/, '')
    .replace('http://127.0.0.1:3000', api.url)
    .replace('http://127.0.0.1:11434/v1', fake.baseUrl);
  const argv = words(command);
  // `pnpm parley …` or `pnpm -s parley …`: what follows `parley` is the CLI's command line.
  expect(argv[0]).toBe('pnpm');
  const args = argv.slice(argv.indexOf('parley') + 1).map((w) => values[w] ?? w);
  return parley(config, args, args[0] === 'login' ? `${key}\n` : undefined);
}

describe('the README', () => {
  it('its CLI sequence works as written, top to bottom, on a fresh account', async () => {
    const key = await createApiKey(api.url, 'readme@example.com');
    const config = join(home, 'readme', 'config.json');
    const values: Record<string, string> = { '<model>': 'fake-small', 'conversations.json': CHATGPT_EXPORT };
    const lines = readmeCommands();
    expect(lines.length).toBeGreaterThanOrEqual(8);
    const outputs: { line: string; result: Run }[] = [];
    for (const line of lines) {
      const result = await runLine(line, config, key, values);
      outputs.push({ line, result });
      expect([line, result.code, result.stderr]).toEqual([line, 0, expect.any(String)]);
      if (line.includes('providers add')) {
        values['<id>'] = /\(([0-9a-f-]{36})\)/.exec(result.stdout)?.[1] ?? '';
        expect(values['<id>']).not.toBe('');
      }
      if (line.includes(' > ')) expect(() => JSON.parse(result.stdout)).not.toThrow();
    }
    const chats = outputs.filter((o) => o.line.includes(' chat "'));
    expect(chats.length).toBeGreaterThanOrEqual(2);
    for (const { result } of chats) expect(result.stdout).toBe('Hello from the fake provider.\n');
    const models = outputs.find((o) => o.line.endsWith('parley models'));
    expect(models?.result.stdout).toContain('fake-large');
    expect(models?.result.stdout).toContain('[default]');
    const imported = outputs.find((o) => o.line.includes(' import '));
    expect(imported?.result.stdout).toContain('Imported 2 chats (11 messages); 0 already imported.');
    const list = await parley(config, ['chats', 'list', '--json']);
    const page = JSON.parse(list.stdout) as { items: { model: string | null; title: string | null }[] };
    expect(page.items).toHaveLength(4);
    expect(page.items.map((c) => c.model)).toContain('fake-small');
    expect(page.items.map((c) => c.title)).toEqual(expect.arrayContaining(['Lisbon weekend', 'Pasta']));
    // Importing the same file again adds nothing.
    const again = await parley(config, ['import', CHATGPT_EXPORT, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ chats: 0, skipped: 2 });
  });

  it('a chat refused before it starts (no provider yet) says why and leaves no empty chat behind', async () => {
    const key = await createApiKey(api.url, 'no-provider@example.com');
    const config = join(home, 'no-provider', 'config.json');
    expect((await parley(config, ['login', '--url', api.url], `${key}\n`)).code).toBe(0);
    const refused = await parley(config, ['chat', 'Hello']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('NO_PROVIDER');
    expect(refused.stderr).not.toContain('New chat');
    const list = await parley(config, ['chats', 'list', '--json']);
    expect(JSON.parse(list.stdout).items).toEqual([]);
  });
});

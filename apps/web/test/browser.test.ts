// The web app in headless Chromium (Debian's, driven by playwright-core) against the real API server process and
// a local fake OpenAI-compatible provider: sign up → provider → test → chat → streamed reply → reload → stop.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const WEB = new URL('..', import.meta.url).pathname;
const API_ENTRY = new URL('../../api/src/index.ts', import.meta.url).pathname;
const ARTIFACTS = join(WEB, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STORY = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');

let fake: FakeProvider;
let server: ChildProcess;
let baseUrl: string;
let browser: Browser;
let page: Page;

/** A free port: the server's public origin (which Better Auth trusts) must name the port it listens on. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startApi(): Promise<string> {
  let output = '';
  server = spawn(process.execPath, [API_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(await freePort()),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-web-')),
      WEB_DIST_DIR: join(WEB, 'dist'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (c) => {
    output += c;
  });
  server.stderr?.on('data', (c) => {
    output += c;
  });
  for (let waited = 0; waited < 30_000; waited += 100) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (match?.[1]) return match[1];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the API did not start:\n${output}`);
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(WEB, 'node_modules/vite/bin/vite.js'), 'build'], {
    cwd: WEB,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`vite build failed:\n${build.stdout}${build.stderr}`);
  fake = await startFakeProvider();
  baseUrl = await startApi();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ baseURL: baseUrl });
});

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await fake?.close();
});

async function openFirstChat() {
  await page.getByRole('button', { name: 'Chats' }).click();
  await page.locator('.chat-link').first().click();
}

describe('what works', () => {
  it('sign up, add and test a provider, chat with a streamed reply, reload, stop a long reply', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Browser User');
    await page.getByLabel('Email').fill('browser@example.com');
    await page.getByLabel('Password').fill('browser password 123');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await page.getByRole('button', { name: 'Providers' }).click();
    await page.getByLabel('Name').fill('Fake');
    await page.getByLabel(/^Base URL/).fill(fake.baseUrl);
    await page.getByLabel('Default model').fill('fake-large');
    await page.getByRole('button', { name: 'Add provider' }).click();
    await page.getByRole('button', { name: 'Test Fake' }).click();
    await page.getByText(/OK in \d+ ms · models: fake-large, fake-small/).waitFor();

    fake.reply = 'Hello from the fake provider, streamed word by word.';
    fake.delayMs = 40;
    await page.getByRole('button', { name: 'Chats' }).click();
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByLabel('Message').fill('Hello there');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Writing…').waitFor();
    const reply = page.locator('.message.assistant[data-status="complete"] .text');
    await reply.waitFor({ timeout: 15_000 });
    expect(await reply.textContent()).toBe(fake.reply);

    await page.reload();
    await openFirstChat();
    await page.locator('.message.user .text', { hasText: 'Hello there' }).waitFor();
    expect(await page.locator('.message.assistant .text').first().textContent()).toBe(fake.reply);

    fake.reply = STORY;
    fake.delayMs = 150;
    await page.getByLabel('Message').fill('Tell me a long story');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.message.assistant[data-status="streaming"] .text', { hasText: 'word3' }).waitFor();
    await page.getByRole('button', { name: 'Stop' }).click();
    const stopped = page.locator('.message.assistant[data-status="stopped"] .text');
    await stopped.waitFor();
    const partial = (await stopped.textContent()) ?? '';
    expect(partial.startsWith('word0 word1 word2 word3')).toBe(true);
    expect(partial.length).toBeLessThan(STORY.length);

    await page.reload();
    await openFirstChat();
    await page.locator('.message.assistant[data-status="stopped"]').getByText('Stopped').waitFor();
    expect(await page.locator('.message.assistant[data-status="stopped"] .text').textContent()).toBe(partial);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'chat.png'), fullPage: true });
  });

  it('the API docs page at /docs renders the OpenAPI document', async () => {
    const docs = await browser.newPage({ baseURL: baseUrl });
    await docs.goto('/docs');
    await docs.locator('.info .title', { hasText: 'Parley API' }).waitFor();
    await docs.locator('.opblock-summary-path', { hasText: '/chats/{chatId}/messages' }).first().waitFor();
    expect(await docs.locator('.opblock').count()).toBeGreaterThan(25);
    await docs.screenshot({ path: join(ARTIFACTS, 'docs.png') });
    await docs.close();
  });
});

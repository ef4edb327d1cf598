// The web app in headless Chromium (Debian's, driven by playwright-core) against the real API server process on a
// fresh database and a local fake OpenAI-compatible provider, as a new user goes: sign up, add a provider, chat
// (streamed markdown and code, stop, regenerate and switch replies, reload mid-stream), the sidebar (load more,
// search, rename, delete), settings, export, delete the account. Screenshots at 1280 and 375 px in light and dark
// go to test-artifacts/; axe-core checks each page. The tests run in order and share one signed-in page.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../scripts/web-build.ts';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  expectAccessible,
  mutate,
  screenshots,
  setScheme,
  startApi,
  stopApi,
} from './helpers.ts';

const EMAIL = 'browser@example.com';
const STORY = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
const MARKDOWN_REPLY = [
  '## A heading',
  '',
  'Some **bold** text and a [link](https://example.com).',
  '',
  '| a | b |',
  '| - | - |',
  '| 1 | 2 |',
  '',
  '```ts',
  'const answer: number = 42;',
  '```',
  '',
  '<img src=x onerror="window.__pwned=1">',
].join('\n');

const CHATGPT_EXPORT = [
  {
    title: 'Imported from ChatGPT',
    create_time: 1_700_000_000,
    update_time: 1_700_000_060,
    conversation_id: 'conv-browser-1',
    current_node: 'a1',
    mapping: {
      root: { id: 'root', message: null, parent: null, children: ['u1'] },
      u1: {
        id: 'u1',
        message: {
          id: 'u1',
          author: { role: 'user' },
          create_time: 1_700_000_010,
          content: { content_type: 'text', parts: ['Hello from ChatGPT'] },
          status: 'finished_successfully',
        },
        parent: 'root',
        children: ['a1'],
      },
      a1: {
        id: 'a1',
        message: {
          id: 'a1',
          author: { role: 'assistant' },
          create_time: 1_700_000_020,
          content: { content_type: 'text', parts: ['Hi! This was imported.'] },
          status: 'finished_successfully',
          metadata: { model_slug: 'gpt-4o' },
        },
        parent: 'u1',
        children: [],
      },
    },
  },
];

let fake: FakeProvider;
let server: ChildProcess | undefined;
let baseUrl: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await buildWeb();
  fake = await startFakeProvider();
  const api = await startApi();
  server = api.process;
  baseUrl = api.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopApi(server);
  await fake?.close();
});

const assistant = (status: string) => page.locator(`li[data-author="assistant"][data-status="${status}"]`);
const composer = () => page.getByRole('textbox', { name: 'Message' });

async function sendMessage(text: string) {
  await composer().fill(text);
  await composer().press('Enter');
}

describe('served by the server', () => {
  it('answers / with the app (index.html not cached), hashed assets immutable and compressed, and any page route', async () => {
    const index = await fetch(`${baseUrl}/`, { headers: { accept: 'text/html' } });
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();

    const asset = await fetch(`${baseUrl}${script}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('br');
    await asset.arrayBuffer();

    const deep = await fetch(`${baseUrl}/c/some-chat`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const api = await fetch(`${baseUrl}/trpc/no.such`, { headers: { accept: 'text/html' } });
    expect(api.headers.get('content-type')).toContain('application/json');
    await api.arrayBuffer();
  });
});

describe('a new user', () => {
  it('signs up, sees the no-provider state, adds and tests a provider', async () => {
    await page.goto('/');
    await expectAccessible(page, 'sign in');
    await screenshots(page, 'sign-in');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Browser User');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('browser password 123');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { name: 'Add an AI provider first' }).waitFor();
    await page.getByRole('link', { name: 'Add a provider' }).first().click();
    expect(new URL(page.url()).pathname).toBe('/settings/providers');
    await page.getByLabel('Name').fill('Fake');
    await page.getByLabel(/^Base URL/).fill(fake.baseUrl);
    await page.getByLabel('Default model').fill('fake-large');
    await page.getByRole('button', { name: 'Add provider' }).click();
    await page.getByRole('button', { name: 'Test Fake' }).click();
    await page.getByText(/OK in \d+ ms · models: fake-large, fake-small/).waitFor();
    // The first provider becomes the default.
    await page.getByText('default', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Edit Fake' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Fake' });
    await dialog.getByRole('button', { name: 'Add a price' }).click();
    await dialog.getByLabel('Input price of fake-large').fill('2.5');
    await dialog.getByLabel('Output price of fake-large').fill('10');
    await expectAccessible(page, 'edit provider');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('· 1 price').waitFor();
    await expectAccessible(page, 'providers');
    await screenshots(page, 'settings-providers');
  });

  it('chats: markdown rendered safely as it streams, code highlighted with a copy button, a URL per chat', async () => {
    // P9: the compressed JavaScript of a first load (an empty cache, signed in), without the highlighter.
    const fresh = await browser.newContext({ baseURL: baseUrl, storageState: await page.context().storageState() });
    const firstPage = await fresh.newPage();
    const scripts: { url: string; bytes: Promise<number> }[] = [];
    firstPage.on('response', (response) => {
      if (response.request().resourceType() === 'script') {
        scripts.push({
          url: response.url(),
          bytes: response
            .request()
            .sizes()
            .then((s) => s.responseBodySize),
        });
      }
    });
    await firstPage.goto('/');
    await firstPage.getByRole('textbox', { name: 'Message' }).waitFor();
    const sizes = await Promise.all(scripts.map((s) => s.bytes));
    const firstLoad = sizes.reduce((a, b) => a + b, 0);
    process.stdout.write(`P9 first-load JavaScript: ${firstLoad} bytes compressed in ${scripts.length} files\n`);
    expect(sizes.every((size) => size > 0)).toBe(true);
    expect(firstLoad).toBeLessThanOrEqual(250 * 1024);
    expect(scripts.some((s) => /core|engine-javascript|typescript/.test(s.url))).toBe(false);
    await fresh.close();

    await page.goto('/');
    await composer().waitFor();
    fake.reply = MARKDOWN_REPLY;
    fake.delayMs = 20;
    await sendMessage('Show me some markdown');
    await page.waitForURL(/\/c\/[^/]+$/);
    const reply = assistant('complete').last();
    await reply.waitFor({ timeout: 20_000 });
    await reply.getByRole('heading', { name: 'A heading' }).waitFor();
    expect(await reply.locator('strong').first().textContent()).toBe('bold');
    expect(await reply.locator('table td').count()).toBe(2);
    expect(await reply.getByRole('link', { name: 'link' }).getAttribute('rel')).toContain('noopener');
    // Raw HTML is shown as text, never run.
    expect(await reply.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    const code = reply.getByTestId('code-block');
    await code.locator('pre[data-highlighted="true"]').waitFor();
    expect(await code.locator('.shiki-token').count()).toBeGreaterThan(3);
    // Each token keeps its own colour: the keyword and the operator alike, the number apart.
    const colour = (text: string) =>
      code
        .locator('.shiki-token', { hasText: new RegExp(`^${text}$`) })
        .first()
        .evaluate((el) => getComputedStyle(el).color);
    expect(await colour('=')).toBe(await colour('const'));
    expect(await colour('42')).not.toBe(await colour('='));
    await code.getByRole('button', { name: 'Copy code' }).click();
    await code.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('const answer: number = 42;');

    const chatUrl = page.url();
    await page.reload();
    expect(page.url()).toBe(chatUrl);
    await assistant('complete').last().getByRole('heading', { name: 'A heading' }).waitFor();
    await page.locator('pre[data-highlighted="true"]').waitFor();
    await expectAccessible(page, 'chat');
    await setScheme(page, 'dark');
    await expectAccessible(page, 'chat, dark');
    await setScheme(page, 'light');
    await screenshots(page, 'chat', async (width) => {
      if (width === 375) await page.getByTestId('scroller').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    });
  });

  it('stops a long reply with Escape, keeps the partial text; regenerates and switches between replies', async () => {
    fake.reply = STORY;
    fake.delayMs = 100;
    await sendMessage('Tell me a long story');
    await assistant('streaming').getByText('word3', { exact: false }).waitFor();
    await composer().press('Escape');
    const stopped = assistant('stopped').last();
    await stopped.waitFor();
    const partial = (await stopped.getByTestId('message-text').textContent()) ?? '';
    expect(partial.startsWith('word0 word1 word2 word3')).toBe(true);
    expect(partial.length).toBeLessThan(STORY.length);
    await stopped.getByText('Stopped').waitFor();

    fake.reply = 'A second, different answer.';
    fake.delayMs = 0;
    await stopped.getByRole('button', { name: 'Regenerate' }).click();
    const second = assistant('complete').last();
    await second.getByText('A second, different answer.').waitFor();
    expect(await second.getByTestId('branch-position').textContent()).toBe('2/2');
    await second.getByRole('button', { name: 'Previous reply' }).click();
    const first = assistant('stopped').last();
    await first.waitFor();
    expect(await first.getByTestId('branch-position').textContent()).toBe('1/2');
    expect(await first.getByTestId('message-text').textContent()).toBe(partial);
    // The chosen branch is the chat's (chat.selectBranch): a reload keeps it.
    await page.reload();
    await assistant('stopped').last().getByTestId('branch-position').waitFor();
    expect(await assistant('stopped').last().getByTestId('branch-position').textContent()).toBe('1/2');
  });

  it('resumes a reply that was streaming when the page was reloaded', async () => {
    fake.reply = STORY;
    fake.delayMs = 40;
    await sendMessage('Another long story, please');
    await assistant('streaming').getByText('word5', { exact: false }).waitFor();
    await page.reload();
    // The reply goes on after the reload and ends with the whole text.
    const done = assistant('complete').last();
    await done.getByText('word119', { exact: false }).waitFor({ timeout: 30_000 });
    expect((await done.getByTestId('message-text').textContent())?.trim()).toBe(STORY);
  });

  it('edits and resends an earlier question as a new branch, and switches back', async () => {
    fake.reply = 'A haiku, as asked.';
    fake.delayMs = 0;
    const question = page.locator('li[data-author="user"]').first();
    await question.getByRole('button', { name: 'Edit and resend' }).click();
    await page.getByLabel('Edit your message').fill('Write me a haiku instead');
    await page.getByLabel('Edit your message').press('Enter');
    await assistant('complete').last().getByText('A haiku, as asked.').waitFor();
    const edited = page.locator('li[data-author="user"]');
    await expect.poll(() => edited.count()).toBe(1);
    expect(await edited.getByTestId('message-text').textContent()).toBe('Write me a haiku instead');
    expect(await edited.getByTestId('branch-position').textContent()).toBe('2/2');
    await edited.getByRole('button', { name: 'Previous version' }).click();
    await page.locator('li[data-author="user"]', { hasText: 'Show me some markdown' }).waitFor();
    await expect.poll(() => page.locator('li[data-author="user"]').count()).toBeGreaterThan(1);
  });

  it('uses the model picked for the chat, and shows a failed reply in place with what to do', async () => {
    fake.reply = 'Small model here.';
    await page.getByLabel('Model', { exact: true }).selectOption({ label: 'fake-small' });
    await sendMessage('Which model are you?');
    const reply = assistant('complete').last();
    await reply.getByText('Small model here.').waitFor();
    expect(await reply.getByText('fake-small', { exact: true }).count()).toBe(1);
    await page.reload();
    expect(await page.getByLabel('Model', { exact: true }).locator('option:checked').textContent()).toBe('fake-small');

    fake.mode = 'unauthorized';
    await sendMessage('This one will fail');
    const failed = assistant('error').last();
    await failed.getByText('The reply failed:').waitFor();
    await failed
      .getByText(/Settings → Providers|Regenerate/)
      .first()
      .waitFor();
    fake.mode = 'ok';
  });

  it('follows a streaming reply unless the user scrolls up, then offers to jump to the latest', async () => {
    await page.setViewportSize({ width: 1280, height: 500 });
    fake.reply = Array.from({ length: 40 }, (_, i) => `Line ${i}`).join('\n\n');
    fake.delayMs = 60;
    await sendMessage('A tall answer, please');
    const scroller = page.getByTestId('scroller');
    const gap = () => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    await assistant('streaming').getByText('Line 8', { exact: true }).waitFor();
    expect(await gap()).toBeLessThan(64);
    await scroller.evaluate((el) => el.scrollTo(0, 0));
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor();
    await assistant('streaming').getByText('Line 16', { exact: true }).waitFor();
    // Scrolled up, the view stays where the user put it while the reply grows.
    expect(await scroller.evaluate((el) => el.scrollTop)).toBeLessThan(10);
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await expect.poll(gap).toBeLessThan(64);
    await assistant('complete').last().getByText('Line 39', { exact: true }).waitFor();
    await expect.poll(gap).toBeLessThan(64);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('keeps a draft per chat', async () => {
    await composer().fill('half a thought');
    const here = page.url();
    await page.goto('/');
    await composer().waitFor();
    expect(await composer().inputValue()).toBe('');
    await page.goto(here);
    await composer().waitFor();
    expect(await composer().inputValue()).toBe('half a thought');
    await composer().fill('');
  });
});

describe('forking', () => {
  it('copies the conversation up to a reply into a new chat', async () => {
    const source = page.url();
    const last = assistant('complete').last();
    const text = (await last.getByTestId('message-text').textContent()) ?? '';
    await last.getByRole('button', { name: 'Fork into a new chat' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/c/') && url.href !== source);
    expect((await assistant('complete').last().getByTestId('message-text').textContent()) ?? '').toBe(text);
  });
});

describe('the sidebar', () => {
  it('loads more chats as it scrolls, searches by title, renames in place, deletes after confirming', async () => {
    for (let i = 1; i <= 35; i++) await mutate(page, baseUrl, 'chat.create', { title: `Seeded chat ${i}` });
    await page.goto('/');
    const links = page.getByRole('navigation', { name: 'Chats' }).getByRole('link');
    await page.getByRole('link', { name: 'Seeded chat 35' }).waitFor();
    const firstPage = await links.count();
    expect(firstPage).toBeLessThan(38);
    await page.getByTestId('chat-list').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.getByRole('link', { name: 'Seeded chat 1', exact: true }).waitFor();
    expect(await links.count()).toBeGreaterThan(firstPage);
    await page.getByText('Today').first().waitFor();

    await page.keyboard.press('Control+K');
    expect(await page.getByLabel('Search chats').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByLabel('Search chats').fill('chat 2');
    await page.getByRole('link', { name: 'Seeded chat 20' }).waitFor();
    await expect.poll(() => links.count()).toBe(11); // 2, 20–29
    await page.getByLabel('Search chats').fill('');

    await page.getByRole('button', { name: 'Options for Seeded chat 35' }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    await page.getByLabel('Chat title').fill('Renamed chat');
    await page.getByLabel('Chat title').press('Enter');
    await page.getByRole('link', { name: 'Renamed chat' }).waitFor();

    await page.getByRole('button', { name: 'Options for Renamed chat' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete this chat?' }).waitFor();
    await expectAccessible(page, 'delete dialog');
    await page.getByRole('button', { name: 'Delete chat' }).click();
    await page.getByRole('link', { name: 'Renamed chat' }).waitFor({ state: 'detached' });
    // Undo while the notice shows brings it back; otherwise it is deleted for good when the notice ends.
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('link', { name: 'Renamed chat' }).waitFor();
    await page.getByRole('button', { name: 'Options for Renamed chat' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete chat' }).click();
    await page.getByText('Deleted “Renamed chat”').waitFor();
    await page.getByText('Deleted “Renamed chat”').waitFor({ state: 'detached', timeout: 15_000 });
    const titles = async () => {
      const input = encodeURIComponent(JSON.stringify({ json: { search: 'Renamed chat' } }));
      const response = await page.request.get(`${baseUrl}/trpc/chat.list?input=${input}`);
      return ((await response.json()) as { result: { data: { json: { items: unknown[] } } } }).result.data.json.items
        .length;
    };
    await expect.poll(titles).toBe(0);
    await page.reload();
    await page.getByLabel('Search chats').fill('Renamed chat');
    await page.getByText('No chat has that in its title.').waitFor();
    await page.getByLabel('Search chats').fill('');

    await page.getByRole('link', { name: 'Seeded chat 34' }).click();
    await page.waitForURL(/\/c\//);
    await page.keyboard.press('Control+Shift+O');
    await page.waitForURL((url) => url.pathname === '/');
  });

  it('works as a drawer at 375 px', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.getByRole('button', { name: 'Open the menu' }).click();
    const drawer = page.getByRole('dialog', { name: 'Menu' });
    await drawer.getByRole('link', { name: 'Seeded chat 34' }).waitFor();
    await expectAccessible(page, 'drawer');
    for (const colorScheme of ['light', 'dark'] as const) {
      await setScheme(page, colorScheme);
      await page.screenshot({
        path: `${new URL('../test-artifacts/', import.meta.url).pathname}drawer-375-${colorScheme}.png`,
        animations: 'disabled',
      });
    }
    await setScheme(page, 'light');
    await drawer.getByRole('link', { name: 'Seeded chat 34' }).click();
    await drawer.waitFor({ state: 'detached' });
    await page.waitForURL(/\/c\//);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});

describe('settings', () => {
  it('has a page per subject, each at its own address, and a not-found page', async () => {
    await page.goto('/settings/preferences');
    await page.getByLabel('Default model').fill('fake-small');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Preferences saved.').waitFor();
    await page.reload();
    expect(await page.getByLabel('Default model').inputValue()).toBe('fake-small');
    await expectAccessible(page, 'preferences');
    await screenshots(page, 'settings-preferences');

    await page.goto('/settings/usage');
    await page.getByRole('list', { name: 'Usage by model' }).getByText('fake-large').waitFor();
    expect(await page.getByTestId('day-chart').locator('div').count()).toBe(30);
    await page.getByLabel('Your cap in tokens').fill('1000000');
    await page.getByRole('button', { name: 'Save cap' }).click();
    await page
      .getByTestId('cap-summary')
      .getByText(/of 1,000,000 tokens used this month/)
      .waitFor();
    // Over the cap, a send is refused in place, with what to do next.
    await page.getByLabel('Your cap in tokens').fill('1');
    await page.getByRole('button', { name: 'Save cap' }).click();
    await page
      .getByTestId('cap-summary')
      .getByText(/of 1 tokens/)
      .waitFor();
    await page.getByRole('navigation', { name: 'Chats' }).getByRole('link').first().click();
    await sendMessage('Over the cap');
    const refusal = page.getByRole('alert');
    await refusal.getByText('You have used your token allowance for this period.').waitFor();
    await refusal.getByRole('link', { name: 'See usage' }).click();
    await page.getByLabel('Your cap in tokens').fill('');
    await page.getByRole('button', { name: 'Save cap' }).click();
    await page
      .getByTestId('cap-summary')
      .getByText(/^No cap/)
      .waitFor();
    await expectAccessible(page, 'usage');
    await screenshots(page, 'settings-usage');

    await page.goto('/settings/api-keys');
    await page.getByLabel('Key name').fill('cli');
    await page.getByRole('button', { name: 'Create API key' }).click();
    expect(await page.getByTestId('new-api-key').textContent()).toMatch(/\S{20,}/);
    await expectAccessible(page, 'api keys');

    for (const path of ['profile', 'sessions', 'password', 'account']) {
      await page.goto(`/settings/${path}`);
      await page.getByRole('heading', { level: 2 }).first().waitFor();
      await expectAccessible(page, path);
    }

    await page.goto('/settings/profile');
    await page.getByLabel('Name').fill('Renamed User');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Profile saved.').waitFor();

    await page.goto('/settings/password');
    await page.getByLabel('Current password').fill('browser password 123');
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase 456');
    await page.getByLabel('Repeat the new password').fill('a brand new passphrase 456');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();

    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.goto('/c/00000000-0000-0000-0000-000000000000');
    await page.getByRole('heading', { name: 'This chat does not exist' }).waitFor();
  });

  it('goes back to sign-in when the session is ended elsewhere, and signs in with the new password', async () => {
    await page.goto('/settings/sessions');
    await page.getByRole('list', { name: 'Sessions' }).getByText('this browser').waitFor();
    // Another device signs in and signs every other session out.
    const signIn = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl },
      body: JSON.stringify({ email: EMAIL, password: 'a brand new passphrase 456' }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const revoke = await fetch(`${baseUrl}/trpc/auth.revokeOtherSessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl, cookie },
      body: '{}',
    });
    expect(revoke.status).toBe(200);

    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('button', { name: 'Create an account' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('a brand new passphrase 456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The address is kept through the sign-in.
    await page.getByRole('heading', { name: 'Usage' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings/usage');
  });

  it('exports the account as JSON, imports a ChatGPT export (once), then deletes the account after the email is typed', async () => {
    await page.goto('/settings/data');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download my data' }).click(),
    ]);
    const exported = JSON.parse(readFileSync((await download.path()) as string, 'utf8')) as {
      user: { email: string };
      chats: unknown[];
    };
    expect(exported.user.email).toBe(EMAIL);
    expect(exported.chats.length).toBeGreaterThan(30);

    // A ChatGPT export's conversations.json: imported once, skipped the second time.
    const file = join(mkdtempSync(join(tmpdir(), 'parley-import-')), 'conversations.json');
    writeFileSync(file, JSON.stringify(CHATGPT_EXPORT));
    await page.goto('/settings/data');
    for (const expected of [
      /Imported 1 chat \(2 messages\); skipped 0/,
      /Imported 0 chats \(0 messages\); skipped 1/,
    ]) {
      await page.getByLabel('File').setInputFiles(file);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByTestId('import-report').getByText(expected).waitFor();
    }
    await expectAccessible(page, 'data');
    await page.getByLabel('Search chats').fill('Imported from ChatGPT');
    await page.getByRole('link', { name: 'Imported from ChatGPT' }).click();
    await page.locator('li[data-author="user"]', { hasText: 'Hello from ChatGPT' }).waitFor();
    await assistant('complete').getByText('Hi! This was imported.').waitFor();

    await page.goto('/settings/account');
    const remove = page.getByRole('button', { name: 'Delete my account' });
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel(/Type your email/).fill(EMAIL);
    await remove.click();
    await page.getByRole('button', { name: 'Create an account' }).waitFor();
    const signIn = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl },
      body: JSON.stringify({ email: EMAIL, password: 'a brand new passphrase 456' }),
    });
    expect(signIn.status).toBe(401);
  });
});

describe('beside the app', () => {
  it('the API docs page at /docs renders the OpenAPI document', async () => {
    const docs = await browser.newPage({ baseURL: baseUrl });
    await docs.goto('/docs');
    await docs.locator('.info .title', { hasText: 'Parley API' }).waitFor();
    await docs.locator('.opblock-summary-path', { hasText: '/chats/{chatId}/messages' }).first().waitFor();
    expect(await docs.locator('.opblock').count()).toBeGreaterThan(25);
    await docs.close();
  });
});

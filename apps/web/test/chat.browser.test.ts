// The web app in headless Chromium (Debian's, driven by playwright-core) against the real API server process on a
// fresh database and a local fake OpenAI-compatible provider, as a new user starts: sign up, add a provider, chat
// (streamed markdown and code, stop, regenerate and switch replies, edit and resend, reload mid-stream, follow the
// stream), fork. Screenshots at 1280 and 375 px in light and dark go to test-artifacts/; axe-core checks each page.
// The tests run in order and share one signed-in page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assistant,
  closeWorld,
  composer,
  expectAccessible,
  openWorld,
  screenshots,
  sendMessage,
  setScheme,
  type World,
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

let world: World;
let fake: World['fake'];
let baseUrl: string;
let browser: World['browser'];
let page: World['page'];

beforeAll(async () => {
  world = await openWorld();
  ({ fake, baseUrl, browser, page } = world);
}, 180_000);

afterAll(async () => {
  await closeWorld(world);
});

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
    await composer(page).waitFor();
    await page.getByRole('heading', { name: 'What can I help with?' }).waitFor();
    await expectAccessible(page, 'new chat');
    await screenshots(page, 'new-chat');
    fake.reply = MARKDOWN_REPLY;
    fake.delayMs = 20;
    await sendMessage(page, 'Show me some markdown');
    await page.waitForURL(/\/c\/[^/]+$/);
    const reply = assistant(page, 'complete').last();
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
    await assistant(page, 'complete').last().getByRole('heading', { name: 'A heading' }).waitFor();
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
    await sendMessage(page, 'Tell me a long story');
    await assistant(page, 'streaming').getByText('word3', { exact: false }).waitFor();
    await composer(page).press('Escape');
    const stopped = assistant(page, 'stopped').last();
    await stopped.waitFor();
    const partial = (await stopped.getByTestId('message-text').textContent()) ?? '';
    expect(partial.startsWith('word0 word1 word2 word3')).toBe(true);
    expect(partial.length).toBeLessThan(STORY.length);
    await stopped.getByText('Stopped').waitFor();

    fake.reply = 'A second, different answer.';
    fake.delayMs = 0;
    await stopped.getByRole('button', { name: 'Regenerate' }).click();
    const second = assistant(page, 'complete').last();
    await second.getByText('A second, different answer.').waitFor();
    expect(await second.getByTestId('branch-position').textContent()).toBe('2/2');
    await second.getByRole('button', { name: 'Previous reply' }).click();
    const first = assistant(page, 'stopped').last();
    await first.waitFor();
    expect(await first.getByTestId('branch-position').textContent()).toBe('1/2');
    expect(await first.getByTestId('message-text').textContent()).toBe(partial);
    // The chosen branch is the chat's (chat.selectBranch): a reload keeps it.
    await page.reload();
    await assistant(page, 'stopped').last().getByTestId('branch-position').waitFor();
    expect(await assistant(page, 'stopped').last().getByTestId('branch-position').textContent()).toBe('1/2');
  });

  it('resumes a reply that was streaming when the page was reloaded', async () => {
    fake.reply = STORY;
    fake.delayMs = 40;
    await sendMessage(page, 'Another long story, please');
    await assistant(page, 'streaming').getByText('word5', { exact: false }).waitFor();
    await page.reload();
    // The reply goes on after the reload and ends with the whole text.
    const done = assistant(page, 'complete').last();
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
    await assistant(page, 'complete').last().getByText('A haiku, as asked.').waitFor();
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
    await sendMessage(page, 'Which model are you?');
    const reply = assistant(page, 'complete').last();
    await reply.getByText('Small model here.').waitFor();
    expect(await reply.getByText('fake-small', { exact: true }).count()).toBe(1);
    await page.reload();
    expect(await page.getByLabel('Model', { exact: true }).locator('option:checked').textContent()).toBe('fake-small');

    fake.mode = 'unauthorized';
    await sendMessage(page, 'This one will fail');
    const failed = assistant(page, 'error').last();
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
    await sendMessage(page, 'A tall answer, please');
    const scroller = page.getByTestId('scroller');
    const gap = () => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    await assistant(page, 'streaming').getByText('Line 8', { exact: true }).waitFor();
    expect(await gap()).toBeLessThan(64);
    await scroller.evaluate((el) => el.scrollTo(0, 0));
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor();
    await assistant(page, 'streaming').getByText('Line 16', { exact: true }).waitFor();
    // Scrolled up, the view stays where the user put it while the reply grows.
    expect(await scroller.evaluate((el) => el.scrollTop)).toBeLessThan(10);
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await expect.poll(gap).toBeLessThan(64);
    await assistant(page, 'complete').last().getByText('Line 39', { exact: true }).waitFor();
    await expect.poll(gap).toBeLessThan(64);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('keeps a draft per chat', async () => {
    await composer(page).fill('half a thought');
    const here = page.url();
    await page.goto('/');
    await composer(page).waitFor();
    expect(await composer(page).inputValue()).toBe('');
    await page.goto(here);
    await composer(page).waitFor();
    expect(await composer(page).inputValue()).toBe('half a thought');
    await composer(page).fill('');
  });
});

describe('forking', () => {
  it('copies the conversation up to a reply into a new chat', async () => {
    const source = page.url();
    const last = assistant(page, 'complete').last();
    const text = (await last.getByTestId('message-text').textContent()) ?? '';
    await last.getByRole('button', { name: 'Fork into a new chat' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/c/') && url.href !== source);
    expect((await assistant(page, 'complete').last().getByTestId('message-text').textContent()) ?? '').toBe(text);
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

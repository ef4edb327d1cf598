// The account side of the web app in headless Chromium against the real API server (see chat.browser.test.ts): the
// sidebar (load more, search, rename, delete and undo, the drawer at 375 px, shortcuts), every settings page, usage
// and the spend cap, a session ended elsewhere, export, import, account deletion. The user starts with a provider
// and one finished reply, made through the API.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assistant,
  closeWorld,
  expectAccessible,
  mutate,
  openWorld,
  screenshots,
  sendMessage,
  setScheme,
  type World,
} from './helpers.ts';

const EMAIL = 'account@example.com';
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

let world: World;
let fake: World['fake'];
let baseUrl: string;
let page: World['page'];

beforeAll(async () => {
  world = await openWorld();
  ({ fake, baseUrl, page } = world);
  const signUp = await page.request.post(`${baseUrl}/api/auth/sign-up/email`, {
    data: { email: EMAIL, password: 'browser password 123', name: 'Account User' },
    headers: { origin: baseUrl },
  });
  expect(signUp.status()).toBe(200);
  await mutate(page, baseUrl, 'providers.create', {
    kind: 'openai-compatible',
    name: 'Fake',
    baseUrl: fake.baseUrl,
    defaultModel: 'fake-large',
  });
  const chat = (await mutate(page, baseUrl, 'chat.create', { title: 'A first chat' })) as { id: string };
  fake.reply = 'A first answer.';
  await mutate(page, baseUrl, 'chat.send', { chatId: chat.id, text: 'A first question', clientRequestId: 'first' });
  await page.goto(`/c/${chat.id}`);
  await assistant(page, 'complete').getByText('A first answer.').waitFor();
}, 180_000);

afterAll(async () => {
  await closeWorld(world);
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
    await sendMessage(page, 'Over the cap');
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
    await assistant(page, 'complete').getByText('Hi! This was imported.').waitFor();

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

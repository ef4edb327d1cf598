// The browser tests' world: the real API server process on a fresh embedded database, the web app built as `pnpm
// start` builds it, a local fake OpenAI-compatible provider, and Debian's Chromium driven by playwright-core.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildWeb } from '../scripts/web-build.ts';

export const WEB = new URL('..', import.meta.url).pathname;
export const ARTIFACTS = join(WEB, 'test-artifacts');
const API_ENTRY = new URL('../../api/src/index.ts', import.meta.url).pathname;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** A free port: the server's public origin (which Better Auth trusts) must name the port it listens on. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export async function startApi(): Promise<{ url: string; process: ChildProcess }> {
  let output = '';
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [API_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-web-')),
      WEB_DIST_DIR: join(WEB, 'dist'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c) => {
    output += c;
  });
  child.stderr?.on('data', (c) => {
    output += c;
  });
  for (let waited = 0; waited < 60_000; waited += 100) {
    const ready = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, process: child };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the API did not start:\n${output}`);
}

export async function stopApi(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  // Colours mid-transition (a theme just switched) are not what the user reads: let running transitions end.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a instanceof CSSTransition)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  // Evaluated through the DevTools protocol, which the page's CSP (no inline scripts) does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } })
      .axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations, `axe on ${name}`).toEqual([]);
}
interface AxeResults {
  violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
}

/** The system's colour scheme, once the app has followed it (its class set, a frame drawn). */
export async function setScheme(page: Page, colorScheme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme });
  await page.waitForFunction(
    (dark) => document.documentElement.classList.contains('dark') === dark,
    colorScheme === 'dark',
  );
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Screenshots at a phone's and a desktop's width, light and dark (the system's choice, which the app follows). */
export async function screenshots(page: Page, name: string, prepare?: (width: number) => Promise<void>) {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 740 : 800 });
    for (const colorScheme of ['light', 'dark'] as const) {
      await setScheme(page, colorScheme);
      await prepare?.(width);
      if (width === 1280 && colorScheme === 'dark') await expectAccessible(page, `${name}, dark`);
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}-${colorScheme}.png`), animations: 'disabled' });
    }
  }
  await setScheme(page, 'light');
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** A tRPC mutation as the signed-in browser makes it (cookie, same-origin Origin). */
export async function mutate(page: Page, baseUrl: string, path: string, input: unknown): Promise<unknown> {
  const response = await page.request.post(`${baseUrl}/trpc/${path}`, {
    data: { json: input },
    headers: { origin: baseUrl, 'content-type': 'application/json' },
  });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return ((await response.json()) as { result: { data: { json: unknown } } }).result.data.json;
}

/** What a browser test file runs against: the app built, the API server, the fake provider, one page. */
export interface World {
  fake: FakeProvider;
  server: ChildProcess;
  baseUrl: string;
  browser: Browser;
  page: Page;
}

export async function openWorld(): Promise<World> {
  await buildWeb();
  const fake = await startFakeProvider();
  const api = await startApi();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ baseURL: api.url, viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api.url });
  const page = await context.newPage();
  return { fake, server: api.process, baseUrl: api.url, browser, page };
}

export async function closeWorld(world: World | undefined): Promise<void> {
  await world?.browser.close();
  await stopApi(world?.server);
  await world?.fake.close();
}

export const assistant = (page: Page, status: string) =>
  page.locator(`li[data-author="assistant"][data-status="${status}"]`);
export const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });

export async function sendMessage(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

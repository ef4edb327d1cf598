// `pnpm start` on a checkout whose web app was never built: the server is ready without waiting for the build,
// answers pages with the "building" page meanwhile, and serves the app once the background build lands.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, stopApi, WEB } from './helpers.ts';

const LAUNCHER = new URL('../../api/scripts/start.ts', import.meta.url).pathname;
const DIST = join(WEB, 'dist');
const LOCK = join(WEB, '.web-build.lock');
let server: ChildProcess | undefined;

afterAll(async () => {
  await stopApi(server);
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  for (let waited = 0; waited < ms; waited += 250) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('pnpm start', () => {
  it('serves a building page at once when the web app is missing, then the app when the build lands', async () => {
    // Wait for any build already running (another start), then take the build away.
    await until('a running build', async () => (existsSync(LOCK) ? undefined : true), 120_000);
    const aside = join(mkdtempSync(join(tmpdir(), 'parley-dist-')), 'dist');
    if (existsSync(DIST)) renameSync(DIST, aside);
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      server = spawn(process.execPath, [LAUNCHER], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          PORT: String(port),
          DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-web-start-')),
          LOG_LEVEL: 'warn',
        },
        stdio: 'ignore',
      });
      await until('/ready', async () => ((await fetch(`${url}/ready`)).ok ? true : undefined), 120_000);
      const page = () => fetch(`${url}/c/some-chat`, { headers: { accept: 'text/html' } }).then((r) => r.text());
      const first = await page();
      // Either the building page, or (on a fast machine) the app already.
      expect(first.includes('Parley is building its web app') || first.includes('/assets/')).toBe(true);

      const html = await until(
        'the built app',
        async () => ((await page()).includes('/assets/') ? page() : undefined),
        150_000,
      );
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      const asset = await fetch(`${url}${script}`, { headers: { 'accept-encoding': 'br' } });
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-encoding')).toBe('br');
      await asset.arrayBuffer();
      await until('the build to finish', async () => (existsSync(LOCK) ? undefined : true), 30_000);
    } finally {
      await stopApi(server);
      // Whatever happened, leave a built app behind for the other tests (the old one if none landed).
      if (!existsSync(join(DIST, 'assets')) && existsSync(aside)) {
        rmSync(DIST, { recursive: true, force: true });
        renameSync(aside, DIST);
      } else rmSync(aside, { recursive: true, force: true });
    }
  }, 300_000);
});

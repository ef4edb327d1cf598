// pnpm dev as a process: the API and the web app together, the web app's dev server proxying tRPC and Better Auth to
// the API (the web origin trusted for cookies), lines tagged by source; SIGTERM stops both, leaving nothing behind.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/http.ts';

const DEV = new URL('../scripts/dev.ts', import.meta.url).pathname;

async function statusOf(url: string, init?: RequestInit): Promise<number> {
  return (await fetch(url, init).catch(() => null))?.status ?? 0;
}

/** Polls until the web app's dev server answers a tRPC query through its proxy (the API behind it is up). */
async function proxied(web: string, ended: () => boolean): Promise<number> {
  for (let waited = 0; waited < 90_000; waited += 250) {
    if (ended()) return -1;
    const status = await statusOf(`${web}/trpc/providers.kinds`);
    if (status === 200) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return 0;
}

describe('what works', () => {
  it('runs the API and the web app, the web app proxying to the API; SIGTERM stops both', async () => {
    const [apiPort, webPort] = [await freePort(), await freePort()];
    const web = `http://localhost:${webPort}`;
    const child = spawn(process.execPath, [DEV], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: String(apiPort),
        WEB_PORT: String(webPort),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-dev-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      expect([await proxied(web, () => child.exitCode !== null), output]).toEqual([200, expect.any(String)]);
      // A cookie-setting call from the web app's origin is not refused as cross-site.
      const signUp = await statusOf(`${web}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: web },
        body: JSON.stringify({ email: 'dev@example.com', password: 'correct horse battery staple', name: 'Dev' }),
      });
      expect(signUp).toBe(200);
      expect(output).toMatch(/^\[api\] .*Server listening at/m);
      expect(output).toMatch(/^\[web\] .*Local:/m);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await statusOf(`http://127.0.0.1:${apiPort}/health`)).toBe(0);
      expect(await statusOf(web)).toBe(0);
    } finally {
      // Whatever happened above, nothing of the group outlives the test.
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
  }, 120_000);
});

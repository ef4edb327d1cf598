// `pnpm start` as it ships: the launcher bundles the server and runs the bundle. What the bundle must still do that
// the source does: find the migrations and Swagger UI's files next to the source, load argon2 (native) and PGlite (outside
// the bundle), and the chunks loaded on first use (OpenAPI).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/http.ts';

const API_DIR = new URL('..', import.meta.url).pathname;
const LAUNCHER = join(API_DIR, 'scripts', 'start.ts');

async function ready(url: string, child: ChildProcess, output: () => string): Promise<void> {
  // Generous: the first start on a clean checkout builds the bundle.
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (child.exitCode !== null) break;
    const status = await fetch(`${url}/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not become ready:\n${output()}`);
}

describe('what works', () => {
  it('starts from the bundle and serves auth, tRPC, the OpenAPI document and the docs assets', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let output = '';
    const child = spawn(process.execPath, [LAUNCHER], {
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        AUTH_SECRET: 'a-start-test-secret-that-is-long-enough-0123456789',
        ENCRYPTION_KEYS: `t1:${Buffer.alloc(32, 3).toString('base64')}`,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-start-')),
        PORT: String(port),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await ready(url, child, () => output);
      const builds = readdirSync(join(API_DIR, 'dist', 'start')).filter((name) => /^[0-9a-f]{16}$/.test(name));
      expect(builds.some((name) => existsSync(join(API_DIR, 'dist', 'start', name, 'server.mjs')))).toBe(true);

      const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ email: 'start@example.com', password: 'correct horse battery staple', name: 'Start' }),
      });
      expect(signUp.status).toBe(200);
      const cookie = signUp.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const me = await fetch(`${url}/trpc/users.me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(await me.text()).toContain('start@example.com');
      const rest = await fetch(`${url}/api/v1/users/me`, { headers: { cookie } });
      expect(rest.status).toBe(200);
      const document = await fetch(`${url}/openapi.json`);
      expect(document.status).toBe(200);
      expect(((await document.json()) as { openapi: string }).openapi).toMatch(/^3\.1/);
      const css = await fetch(`${url}/docs/static/swagger-ui.css`);
      expect(css.status).toBe(200);
      // Read to the end, as a browser does: an unread, still-compressing answer is in flight and holds the shutdown.
      expect((await css.text()).length).toBeGreaterThan(1000);

      // Production logs are JSON lines, one per request.
      const lines = output.split('\n').filter((line) => line.startsWith('{'));
      expect(lines.map((line) => JSON.parse(line)).some((line) => line.msg === 'request')).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});

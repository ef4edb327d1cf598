// `pnpm build` makes the bundle `pnpm start` runs: after a build, a start bundles nothing and serves from it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/http.ts';

const API_DIR = new URL('..', import.meta.url).pathname;

describe('what works', () => {
  it('pnpm start runs the bundle pnpm build made, without bundling again', async () => {
    const build = () =>
      execFileSync(process.execPath, [join(API_DIR, 'scripts', 'build.ts')], { encoding: 'utf8', stdio: 'pipe' });
    const built = /^server bundle: (\S+server\.mjs)$/m.exec(build())?.[1];
    expect(built).toBeDefined();
    expect(build()).toBe(`server bundle: ${built}\n`);

    const port = await freePort();
    const child = spawn(process.execPath, [join(API_DIR, 'scripts', 'start.ts')], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: String(port),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-build-')),
        // Not the web app's background build: this test is about the server's bundle.
        WEB_DIST_DIR: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let status = 0;
      for (let waited = 0; waited < 60_000 && status !== 200 && child.exitCode === null; waited += 100) {
        status = await fetch(`http://127.0.0.1:${port}/ready`).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect([status, output]).toEqual([200, expect.any(String)]);
      expect(output).not.toContain('Bundling the server');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});

// The real entry point as a process: a bad variable stops it, one data folder has one owner, SIGTERM closes cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENTRY = new URL('../src/index.ts', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>): Started {
  let output = '';
  const child = spawn(process.execPath, [ENTRY], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function listening(started: Started): Promise<string> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output());
    if (match?.[1]) return match[1];
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not start:\n${started.output()}`);
}

describe('what fails, and how', () => {
  it('a bad variable stops the server with a message that names it', async () => {
    const started = run({ PORT: 'eighty', DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-proc-')) });
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/PORT: expected an integer from 0 to 65535 \(got "eighty"\)/);
  });
});

describe('what works', () => {
  it('starts on the embedded database with nothing configured, keeps a second process out, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-proc-'));
    const first = run({ PORT: '0', DATA_DIR: dataDir });
    const url = await listening(first);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(await (await fetch(`${url}/ready`)).json()).toEqual({ status: 'ready', database: 'pglite' });
    expect(first.output()).toMatch(/Generated development secrets/);

    const second = run({ PORT: '0', DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by another process \(pid \d+\)/);
    expect((await fetch(`${url}/health`)).status).toBe(200);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/shutting down/);
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);

    // The data folder outlives the process: the next start reuses its database and secrets.
    const third = run({ PORT: '0', DATA_DIR: dataDir });
    const again = await listening(third);
    expect((await fetch(`${again}/ready`)).status).toBe(200);
    expect(third.output()).toMatch(/Using development secrets/);
    third.child.kill('SIGINT');
    expect(await third.exited).toBe(0);
  }, 60_000);
});

// pnpm db:seed as a process on a fresh embedded database: the demo account, its provider on the fake provider, two
// answered chats and an API key; run again, it signs in and adds no second provider or chats.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/http.ts';

const SEED = new URL('../scripts/seed.ts', import.meta.url).pathname;

function seed(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SEED], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('what works', () => {
  it('seeds a demo account with a provider and two answered chats, and again without duplicates', async () => {
    const env = { DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-seed-')), FAKE_PROVIDER_PORT: String(await freePort()) };
    const first = await seed(env);
    expect(first.stderr).not.toMatch(/db:seed:/);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Created demo@example.com (password: parley-demo-password) on pglite.');
    expect(first.stdout).toContain('2 chats with a question and an answer.');
    const providerId = /\(([0-9a-f-]{36})\) at http:\/\/127\.0\.0\.1:\d+\/v1, the default/.exec(first.stdout)?.[1];
    expect(providerId).toBeDefined();
    const firstKey = /A new API key \(shown once\): (parley_\w+)/.exec(first.stdout)?.[1];
    expect(firstKey).toBeDefined();

    const second = await seed(env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Signed in to demo@example.com');
    expect(second.stdout).toContain(`(${providerId}) at`);
    expect(second.stdout).toContain('Chats already there: none added.');
    expect(/A new API key \(shown once\): (parley_\w+)/.exec(second.stdout)?.[1]).not.toBe(firstKey);
  }, 120_000);
});

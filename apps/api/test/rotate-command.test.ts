// `pnpm keys:rotate` as a process: progress output, every key moved to the current key, old key then droppable.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encryptApiKey } from '../src/modules/providers/keys.ts';
import { loadTarget } from '../src/modules/providers/service.ts';
import { openDatabase } from '../src/shared/db/client.ts';
import { provider, user } from '../src/shared/db/schema/index.ts';
import { parseKeyring } from '../src/shared/lib/keyring.ts';

const SCRIPT = new URL('../scripts/rotate-keys.ts', import.meta.url).pathname;
const OLD = `old:${Buffer.alloc(32, 1).toString('base64')}`;
const NEW = `new:${Buffer.alloc(32, 2).toString('base64')}`;

function runScript(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(process.execPath, [SCRIPT, '--batch=2'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('what works', () => {
  it('re-encrypts every key under the new key, in batches, printing progress', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-rotate-'));
    const config = { kind: 'pglite', dataDir: join(dataDir, 'pglite') } as const;
    const oldRing = parseKeyring(OLD);
    let database = await openDatabase(config);
    await database.migrate();
    await database.db.insert(user).values({ id: 'u1', name: 'U', email: 'u@example.com' });
    const keys = ['sk-one-aaaaaaaaaaaa', 'sk-two-bbbbbbbbbbbb', 'sk-three-cccccccccc'];
    for (const [i, apiKey] of keys.entries()) {
      const id = `p${i}`;
      await database.db
        .insert(provider)
        .values({ id, userId: 'u1', kind: 'openai', name: `P${i}`, ...encryptApiKey(oldRing, 'u1', id, apiKey) });
    }
    await database.close();

    const run = await runScript({ DATA_DIR: dataDir, ENCRYPTION_KEYS: `${NEW},${OLD}`, AUTH_SECRET: 'x'.repeat(32) });
    expect(run.output).toMatch(/rotated 2, skipped 0 \(changed meanwhile\), failed 0, remaining 1/);
    expect(run.output).toMatch(/done: 3 keys now under "new"/);
    expect(run.code).toBe(0);

    database = await openDatabase(config);
    try {
      const newOnly = parseKeyring(NEW);
      for (const [i, apiKey] of keys.entries()) {
        expect((await loadTarget(database.db, newOnly, 'u1', `p${i}`)).target.apiKey).toBe(apiKey);
      }
    } finally {
      await database.close();
    }
  }, 60_000);
});

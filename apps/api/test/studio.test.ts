// pnpm db:studio on the embedded database takes the data folder's lock first, as the server does: with the server
// (here, this process) holding it, it refuses in one line instead of opening a folder in use (which corrupts it).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock } from '../src/shared/db/lock.ts';

const STUDIO = new URL('../scripts/studio.ts', import.meta.url).pathname;

describe('what fails, and how', () => {
  it('refuses a PGlite folder another process holds, naming it and the holder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-studio-'));
    const release = acquireDataDirLock(join(dataDir, 'pglite'));
    try {
      const child = spawn(process.execPath, [STUDIO], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const code = await new Promise((resolve) => child.once('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toBe(
        `db:studio: The embedded database in ${join(dataDir, 'pglite')} is in use by another process (pid ${process.pid}). Stop that process, or set DATA_DIR to another folder, or DATABASE_URL to use PostgreSQL.\n`,
      );
    } finally {
      release();
    }
  });
});

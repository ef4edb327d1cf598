// The PGlite data folder's lock (proper-lockfile): one holder at a time, named in the refusal; a lock left by a
// process that died without releasing it (untouched for longer than the stale time) is taken over.
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError } from '../src/shared/db/lock.ts';

const folder = () => join(mkdtempSync(join(tmpdir(), 'parley-lock-')), 'pglite');

describe('what works', () => {
  it('takes a free folder, and frees it on release', () => {
    const dataDir = folder();
    const release = acquireDataDirLock(dataDir);
    expect(existsSync(`${dataDir}.lock`)).toBe(true);
    release();
    release(); // twice is harmless
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('takes over the lock of a holder that died without releasing it', () => {
    const dataDir = folder();
    mkdirSync(`${dataDir}.lock`);
    writeFileSync(join(`${dataDir}.lock`, 'pid'), '999999');
    const untouched = new Date(Date.now() - 60_000);
    utimesSync(`${dataDir}.lock`, untouched, untouched);
    const release = acquireDataDirLock(dataDir);
    release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('takes over at once, on the same host, the fresh lock of a process that is gone (a restart after SIGKILL)', () => {
    const dataDir = folder();
    mkdirSync(`${dataDir}.lock`);
    writeFileSync(join(`${dataDir}.lock`, 'pid'), `999999 ${hostname()}`);
    const release = acquireDataDirLock(dataDir);
    release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});

describe('what fails, and how', () => {
  it('refuses a folder held by a live holder, in one line naming the folder and the holder', () => {
    const dataDir = folder();
    const release = acquireDataDirLock(dataDir);
    try {
      expect(() => acquireDataDirLock(dataDir)).toThrow(DataDirLockedError);
      expect(() => acquireDataDirLock(dataDir)).toThrow(
        `The embedded database in ${dataDir} is in use by another process (pid ${process.pid}). Stop that process, or set DATA_DIR to another folder, or DATABASE_URL to use PostgreSQL.`,
      );
    } finally {
      release();
    }
  });

  it('waits out a fresh lock of another host (a container sharing the volume), whose pid says nothing here', () => {
    const dataDir = folder();
    mkdirSync(`${dataDir}.lock`);
    writeFileSync(join(`${dataDir}.lock`, 'pid'), '999999 another-host');
    expect(() => acquireDataDirLock(dataDir)).toThrow(`is in use by another process (pid 999999)`);
  });
});

// Two processes on one PGlite data folder corrupt it: a lock (proper-lockfile) keeps the second one out. The lock is
// a folder, `<data dir>.lock`, made atomically; its holder touches it every few seconds and removes it on exit, so
// a lock whose holder died without a word (SIGKILL, power loss) is taken over once it is STALE_MS old. Unlike a pid
// check alone, this holds across containers sharing a volume (where pids mean nothing). The holder's pid and host
// name are written inside: for the message, and so that on the same host a lock whose process is gone (SIGKILL, an
// OOM kill) is taken over at once, and a restart right after a crash is not refused for STALE_MS.
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';

/** A lock not touched for this long is a dead holder's: its holder touches it every STALE_MS / 2. */
const STALE_MS = 10_000;

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

/** proper-lockfile removes its folder with rmdir, which refuses a folder with our pid file in it. */
const lockFs = { ...fs, rmdirSync: (path: fs.PathLike) => fs.rmSync(path, { recursive: true }) };

export function acquireDataDirLock(dataDir: string): () => void {
  const folder = resolve(dataDir);
  const lockPath = `${folder}.lock`;
  fs.mkdirSync(dirname(lockPath), { recursive: true });
  let release: () => void;
  try {
    release = lock(folder, lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = readHolder(lockPath);
    if (holder && holder.host === hostname() && !isAlive(holder.pid)) {
      fs.rmSync(lockPath, { recursive: true, force: true }); // its process is gone: nobody touches it any more
      return acquireDataDirLock(dataDir);
    }
    throw new DataDirLockedError(
      `The embedded database in ${folder} is in use by another process${holder ? ` (pid ${holder.pid})` : ''}. ` +
        'Stop that process, or set DATA_DIR to another folder, or DATABASE_URL to use PostgreSQL.',
    );
  }
  // A file added to the folder changes its mtime, which proper-lockfile checks as its own: put it back.
  const { atime, mtime } = fs.statSync(lockPath);
  fs.writeFileSync(join(lockPath, 'pid'), `${process.pid} ${hostname()}`);
  fs.utimesSync(lockPath, atime, mtime);
  return () => {
    try {
      release();
    } catch (error) {
      // Already released (proper-lockfile releases on exit too).
      if ((error as NodeJS.ErrnoException).code !== 'ERELEASED') throw error;
    }
  };
}

function lock(folder: string, lockPath: string): () => void {
  return lockfile.lockSync(folder, {
    lockfilePath: lockPath,
    realpath: false,
    stale: STALE_MS,
    fs: lockFs,
    // The lock was touched by someone else (taken over as stale, or removed): another process may hold the
    // folder now, and going on would corrupt it. (A busy event loop alone does not lose it: proper-lockfile
    // catches up when the lock's mtime is still its own.)
    onCompromised(error) {
      throw new DataDirLockedError(`Lost the lock on the embedded database in ${folder}: ${error.message}`);
    },
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder's pid and host name, when it has written them (`<pid> <host>`). */
function readHolder(lockPath: string): { pid: number; host: string } | undefined {
  try {
    const [pid = '', host = ''] = fs.readFileSync(join(lockPath, 'pid'), 'utf8').trim().split(' ');
    return /^\d+$/.test(pid) ? { pid: Number(pid), host } : undefined;
  } catch {
    return undefined; // the holder has not written it yet
  }
}

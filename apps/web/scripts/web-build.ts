// Keeps apps/web/dist built from the source, for `pnpm start` (ensureWebBuild: never waits) and the browser tests
// (buildWeb: waits). A build is stamped with what it was made of (names, sizes and mtimes of the app's files, its
// package.json and the lockfile); a missing or stale build is made again in a detached, low-priority process, so
// the server's start is not held up: until the first build lands, dist/index.html is a page that says the app is
// being built and reloads itself. Builds go to a folder of their own and replace dist/ by renaming, so a server
// never serves half a build. The hashed files are also written precompressed (.br, .gz) for the server to send.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const WEB = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(WEB, 'dist');
const STAMP = '.build-stamp';
const LOCK = join(WEB, '.web-build.lock');
const LOG = join(WEB, '.web-build.log');
/** How long a background build waits before it starts: the server's first requests come first. */
const START_GRACE_MS = 1_000;

/** What the build is made of: cheap to read (a few dozen files). */
export function sourceStamp(): string {
  const hash = createHash('sha256');
  const files = [
    ...['src', 'public']
      .filter((dir) => existsSync(join(WEB, dir)))
      .flatMap((dir) =>
        readdirSync(join(WEB, dir), { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => join(entry.parentPath, entry.name)),
      ),
    join(WEB, 'index.html'),
    join(WEB, 'vite.config.ts'),
    join(WEB, 'package.json'),
    join(WEB, '..', '..', 'pnpm-lock.yaml'),
    fileURLToPath(import.meta.url),
  ].sort();
  for (const file of files) {
    const stat = statSync(file, { throwIfNoEntry: false });
    hash.update(`${file}\0${stat?.size}\0${stat?.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

function builtStamp(): string | null {
  try {
    return readFileSync(join(DIST, STAMP), 'utf8').trim();
  } catch {
    return null;
  }
}

function buildRunning(): boolean {
  try {
    const pid = Number(readFileSync(LOCK, 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const PLACEHOLDER = `<!doctype html>
<html lang="en">
<!-- parley: building -->
<head>
<meta charset="UTF-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta http-equiv="refresh" content="3" />
<title>Parley is starting</title>
</head>
<body>
<main><h1>Parley is building its web app</h1><p>This takes a minute the first time; the page reloads by itself.</p></main>
</body>
</html>
`;

/**
 * For `pnpm start`: returns at once. A missing build gets the "building" page now (the server serves dist/ only when
 * it has an index.html); the returned function starts the build in the background, to be called once the server
 * listens. Undefined when the build is current or one is already running. A stale build is served until replaced.
 */
export function ensureWebBuild(): (() => void) | undefined {
  const stamp = sourceStamp();
  if (builtStamp() === stamp || buildRunning()) return undefined;
  if (!existsSync(join(DIST, 'index.html'))) {
    mkdirSync(DIST, { recursive: true });
    writeFileSync(join(DIST, 'index.html'), PLACEHOLDER);
  }
  return () => {
    const log = openSync(LOG, 'w');
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), `--after=${START_GRACE_MS}`], {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: WEB,
    });
    if (child.pid) {
      try {
        setPriority(child.pid, 15);
      } catch {
        // Not allowed here: it builds at normal priority.
      }
    }
    child.unref();
    process.stderr.write(`Building the web app in the background (log: ${LOG})…\n`);
  };
}

/** Builds now (unless the build is current) and returns when dist/ holds it. */
export async function buildWeb({ holdsLock = false } = {}): Promise<void> {
  const stamp = sourceStamp();
  if (!holdsLock) {
    if (builtStamp() === stamp) return;
    while (buildRunning()) await new Promise((resolve) => setTimeout(resolve, 250));
    if (builtStamp() === stamp) return;
    writeFileSync(LOCK, String(process.pid));
  }
  try {
    if (builtStamp() === stamp) return;
    const { build } = await import('vite');
    const out = join(WEB, `dist-next-${process.pid}`);
    // Vite keeps a NODE_ENV it finds (vitest sets 'test'), and React's development build is 40 % larger.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({
        root: WEB,
        mode: 'production',
        configFile: join(WEB, 'vite.config.ts'),
        logLevel: 'warn',
        build: { outDir: out },
      });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    precompress(join(out, 'assets'));
    writeFileSync(join(out, STAMP), stamp);
    const old = join(WEB, `dist-old-${process.pid}`);
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(out, DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(LOCK, { force: true });
  }
}

/** Brotli at its best quality and gzip, written once here instead of compressed again for every request. */
function precompress(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (!/\.(js|css|svg|json)$/.test(name)) continue;
    const file = join(dir, name);
    const data = readFileSync(file);
    if (data.length < 1024) continue;
    writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const after = Number(/^--after=(\d+)$/.exec(process.argv[2] ?? '')?.[1] ?? 0);
  const started = Date.now();
  if (buildRunning()) process.exit(0);
  writeFileSync(LOCK, String(process.pid));
  new Promise((resolve) => setTimeout(resolve, after))
    .then(() => buildWeb({ holdsLock: true }))
    .then(
      () => process.stdout.write(`web app built in ${Date.now() - started} ms\n`),
      (error: unknown) => {
        process.stderr.write(
          `the web build failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
        );
        process.exit(1);
      },
    );
}

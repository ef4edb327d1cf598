// `pnpm start`: runs the server from a bundle of its source (scripts/bundle.ts), built again only when a source
// file, a dependency or the build itself changed. Without esbuild (a production-only install) it runs the source.
// One process: the root script calls node on this file directly (pnpm starting pnpm cost ~0.8 s).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { enableCompileCache, flushCompileCache } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));
const BUILDS = join(API_DIR, 'dist', 'start');
/** Builds kept: a server still running from an older one loads its lazy chunks from it. */
const KEEP_BUILDS = 3;
const COMPILE_CACHE = join(BUILDS, 'compile-cache');

// Relative paths in the configuration (DATA_DIR=.data) have always meant apps/api/…: pnpm ran the server there.
process.chdir(API_DIR);

/** What the bundle is made of, as names, sizes and modification times: cheap to read (~100 files). */
function sourceStamp(): string {
  const hash = createHash('sha256');
  const files = [
    ...readdirSync(join(API_DIR, 'src'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name)),
    join(API_DIR, 'package.json'),
    join(API_DIR, '..', '..', 'pnpm-lock.yaml'),
    join(API_DIR, 'scripts', 'bundle.ts'),
  ].sort();
  for (const file of files) {
    const stat = statSync(file, { throwIfNoEntry: false });
    hash.update(`${file}\0${stat?.size}\0${stat?.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

async function bundled(): Promise<string | null> {
  const dir = join(BUILDS, sourceStamp());
  const entry = join(dir, 'server.mjs');
  if (existsSync(entry)) return entry;
  let bundler: typeof import('./bundle.ts');
  try {
    bundler = await import('./bundle.ts');
  } catch (error) {
    // No esbuild here (a production-only install): run the source.
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
  process.stderr.write('Bundling the server (once after each change to its source or dependencies)…\n');
  const built = await bundler.bundleServer(dir);
  removeOldBuilds(dir);
  // The compile cache keeps entries for every build it saw: start it afresh with the new one.
  rmSync(COMPILE_CACHE, { recursive: true, force: true });
  return built;
}

function removeOldBuilds(current: string): void {
  const old = readdirSync(BUILDS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && join(BUILDS, entry.name) !== current && /^[0-9a-f]{16}$/.test(entry.name))
    .map((entry) => ({ path: join(BUILDS, entry.name), mtime: statSync(join(BUILDS, entry.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { path } of old.slice(KEEP_BUILDS - 1)) rmSync(path, { recursive: true, force: true });
}

// The web app, built in the background once the server listens when missing or stale (absent where the server is
// deployed alone).
const web = await import('../../web/scripts/web-build.ts').catch((error: { code?: string }) => {
  if (error.code === 'ERR_MODULE_NOT_FOUND') return null;
  throw error;
});
const buildWeb = web?.ensureWebBuild();
const entry = (await bundled()) ?? join(API_DIR, 'src', 'index.ts');
// V8's compiled code kept on disk: the next start skips parsing and compiling most of the bundle.
enableCompileCache(COMPILE_CACHE);
await import(pathToFileURL(entry).href);
buildWeb?.();
// Written now rather than at exit, which a killed server never reaches.
flushCompileCache();

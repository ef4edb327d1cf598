// The server's bundle for `pnpm start`: one folder per state of the sources (dist/start/<stamp>/server.mjs), built
// when missing. Shared by scripts/start.ts (at start) and scripts/build.ts (`pnpm build`, ahead of time), so a
// deployment that builds first starts without bundling. esbuild is imported only to build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const API_DIR = fileURLToPath(new URL('..', import.meta.url));
const BUILDS = join(API_DIR, 'dist', 'start');
/** Builds kept: a server still running from an older one loads its lazy chunks from it. */
const KEEP_BUILDS = 3;
export const COMPILE_CACHE = join(BUILDS, 'compile-cache');

/** What the bundle is made of, as names, sizes and modification times: cheap to read (~100 files). */
function sourceStamp(): string {
  const hash = createHash('sha256');
  // The server's sources, and @parley/shared's (its errors, limits and kinds are bundled in).
  const sources = [join(API_DIR, 'src'), join(API_DIR, '..', '..', 'packages', 'shared', 'src')];
  const files = [
    ...sources.flatMap((dir) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name)),
    ),
    join(API_DIR, 'package.json'),
    join(API_DIR, '..', '..', 'pnpm-lock.yaml'),
    join(API_DIR, 'scripts', 'bundle.ts'),
    join(API_DIR, 'scripts', 'server-build.ts'),
  ].sort();
  for (const file of files) {
    const stat = statSync(file, { throwIfNoEntry: false });
    hash.update(`${file}\0${stat?.size}\0${stat?.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** The bundle's entry for the sources as they are, built now if need be; null where esbuild is not installed. */
export async function currentBuild(): Promise<string | null> {
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

// `pnpm start`: runs the server from a bundle of its source (scripts/bundle.ts), built again only when a source
// file, a dependency or the build itself changed (scripts/server-build.ts; `pnpm build` makes it ahead of time).
// Without esbuild (a production-only install) it runs the source.
// One process: the root script calls node on this file directly (pnpm starting pnpm cost ~0.8 s).
import { enableCompileCache, flushCompileCache } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { API_DIR, COMPILE_CACHE, currentBuild } from './server-build.ts';

// Relative paths in the configuration (DATA_DIR=.data) have always meant apps/api/…: pnpm ran the server there.
process.chdir(API_DIR);

// The web app, built in the background once the server listens when missing or stale (absent where the server is
// deployed alone).
const web = await import('../../web/scripts/web-build.ts').catch((error: { code?: string }) => {
  if (error.code === 'ERR_MODULE_NOT_FOUND') return null;
  throw error;
});
const buildWeb = web?.ensureWebBuild();
const entry = (await currentBuild()) ?? join(API_DIR, 'src', 'index.ts');
// V8's compiled code kept on disk: the next start skips parsing and compiling most of the bundle.
enableCompileCache(COMPILE_CACHE);
await import(pathToFileURL(entry).href);
buildWeb?.();
// Written now rather than at exit, which a killed server never reaches.
flushCompileCache();

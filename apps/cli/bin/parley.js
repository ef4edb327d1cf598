#!/usr/bin/env node
// The `parley` command. Runs dist/parley.mjs, the CLI bundled into one file by esbuild (scripts/bundle.mjs): no
// TypeScript is loaded at run time, so it starts in a fraction of a second and runs on Node 20 too. In a checkout,
// a bundle that no longer matches the sources is built again first (that run takes about a second longer).
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { pathToFileURL } from 'node:url';
import { BUNDLE, hasSources, STAMP, sourceStamp } from '../scripts/bundle-stamp.mjs';

async function ensureBundle() {
  if (!hasSources()) return;
  const wanted = sourceStamp();
  const built = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (built === wanted && existsSync(BUNDLE)) return;
  let bundler;
  try {
    bundler = await import('../scripts/bundle.mjs');
  } catch (error) {
    // No esbuild (an install without dev dependencies): an older bundle still runs.
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !existsSync(BUNDLE)) throw error;
    return;
  }
  if (process.stderr.isTTY) process.stderr.write('Building the parley CLI (once after each change to it)…\n');
  await bundler.bundleCli();
}

await ensureBundle();
// V8's compiled code kept between runs (Node 22.1 and newer): the next run skips compiling the bundle.
module.enableCompileCache?.();
await import(pathToFileURL(BUNDLE).href);

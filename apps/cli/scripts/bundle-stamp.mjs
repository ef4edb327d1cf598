// What the CLI's bundle is made of, as one short hash of file names, sizes and modification times: cheap enough
// (~40 stat calls) for every run of `parley` to check that dist/parley.mjs still matches the sources. Plain
// JavaScript, no dependencies: the launcher (bin/parley.js) reads it on Node 20 too.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLE = join(CLI_DIR, 'dist', 'parley.mjs');
export const STAMP = join(CLI_DIR, 'dist', 'parley.stamp');
const ROOT = join(CLI_DIR, '..', '..');
const SOURCE_DIRS = [join(CLI_DIR, 'src'), join(ROOT, 'packages', 'shared', 'src')];
const SOURCE_FILES = [
  join(CLI_DIR, 'package.json'),
  join(CLI_DIR, 'scripts', 'bundle.mjs'),
  join(CLI_DIR, 'scripts', 'bundle-stamp.mjs'),
  join(ROOT, 'pnpm-lock.yaml'),
];

/** True in a checkout (the sources are here); a bundle shipped on its own is never rebuilt. */
export function hasSources() {
  return existsSync(join(CLI_DIR, 'src', 'main.ts'));
}

/** The stamp of the sources as they are now. */
export function sourceStamp() {
  const files = [...SOURCE_FILES];
  for (const dir of SOURCE_DIRS) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) files.push(join(dir, name));
  }
  files.sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const stat = statSync(file, { throwIfNoEntry: false });
    hash.update(`${file}\0${stat?.isFile() ? stat.size : '-'}\0${stat?.isFile() ? stat.mtimeMs : '-'}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

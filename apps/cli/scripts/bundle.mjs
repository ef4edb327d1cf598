// Bundles the CLI (src/main.ts and every dependency) into one ES module, dist/parley.mjs, for Node 20 and newer:
// `parley` then starts without loading TypeScript or resolving a thousand files. Run by `pnpm build` and, in a
// checkout, by bin/parley.js itself when the sources changed since the last bundle (`node scripts/bundle.mjs`).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE, CLI_DIR, STAMP, sourceStamp } from './bundle-stamp.mjs';

/** Builds dist/parley.mjs (written whole, then renamed, so a concurrent run never reads half a file). */
export async function bundleCli() {
  const stamp = sourceStamp();
  const { version } = JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8'));
  mkdirSync(dirname(BUNDLE), { recursive: true });
  const staging = `${BUNDLE}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(CLI_DIR, 'src', 'main.ts')],
    outfile: staging,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    define: { PARLEY_CLI_VERSION: JSON.stringify(version) },
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'error',
    // CommonJS dependencies call require() for Node's built-ins, and write-file-atomic names its temporary files
    // after __filename: an ES module has neither of its own.
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __parleyRequire } from 'node:module';const require=__parleyRequire(import.meta.url);const __filename=new URL(import.meta.url).pathname;",
    },
  });
  renameSync(staging, BUNDLE);
  const stagingStamp = `${STAMP}.${process.pid}.tmp`;
  writeFileSync(stagingStamp, `${stamp}\n`);
  renameSync(stagingStamp, STAMP);
  return BUNDLE;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await bundleCli();
  process.stdout.write(`built ${BUNDLE}\n`);
}

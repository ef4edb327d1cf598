// Bundles the server (src/index.ts and its dependencies) into a few ES modules for `pnpm start`. Node's loader,
// resolving and type-stripping ~1,000 modules one by one, was most of the start-up time (P5); one bundle is read
// and compiled at once. Modules loaded on first use (provider SDKs, OpenAPI generation) become chunks of their own.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin, stop } from 'esbuild';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = join(API_DIR, 'src', 'index.ts');

/**
 * Packages left outside the bundle: PGlite finds its WebAssembly and data files next to its own modules, argon2 is
 * a native addon, pino-pretty is loaded only in development (from node_modules, as it would be unbundled).
 */
const EXTERNAL = ['@electric-sql/pglite', '@node-rs/argon2', 'pino-pretty'];

/**
 * Our modules find files next to themselves (the migrations, the web build, Swagger UI's files) through
 * `import.meta.url`: each keeps its own source file's URL, as if it ran unbundled.
 */
const keepSourceUrls: Plugin = {
  name: 'keep-source-urls',
  setup(builder) {
    builder.onLoad({ filter: /\/src\/.*\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const url = JSON.stringify(pathToFileURL(path).href);
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/** Builds into `outDir` (replaced whole, so a reader never sees half of it); returns the entry file's path. */
export async function bundleServer(outDir: string): Promise<string> {
  const staging = `${outDir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(staging), { recursive: true });
  await build({
    entryPoints: { server: ENTRY },
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    outExtension: { '.js': '.mjs' },
    external: EXTERNAL,
    plugins: [keepSourceUrls],
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'error',
    // CommonJS dependencies call require() for Node's built-ins; an ES module has no require of its own.
    banner: {
      js: "import { createRequire as __parleyRequire } from 'node:module';const require=__parleyRequire(import.meta.url);",
    },
  });
  // esbuild's service is a child process that outlives the build: end it, so the server is one process again (a
  // supervisor, or the bench reading the server's memory, finds no stray child).
  await stop();
  writeFileSync(join(staging, 'package.json'), '{"type":"module"}\n');
  rmSync(outDir, { recursive: true, force: true });
  renameSync(staging, outDir);
  return join(outDir, 'server.mjs');
}

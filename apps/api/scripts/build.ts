// `pnpm build` (the API's part): the bundle `pnpm start` runs, made ahead of time, so a deployment's first start
// does not bundle (scripts/server-build.ts decides whether the one on disk matches the sources).
import { currentBuild } from './server-build.ts';

const entry = await currentBuild();
if (!entry) {
  process.stderr.write('build: esbuild is not installed (install the dev dependencies to build)\n');
  process.exit(1);
}
process.stdout.write(`server bundle: ${entry}\n`);

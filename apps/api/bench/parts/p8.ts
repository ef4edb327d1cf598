// P8: the CLI as a person runs it — the `parley` bin the workspace installs (node_modules/.bin/parley, the bundle
// behind it) — timed from spawn to exit, wall clock: `parley chats list` against Parley as it ships (20 chats, API
// key) and `parley --version`. Interleaved with a bare `node -e ''` (the floor any Node CLI pays) and, for the
// record, the CLI's TypeScript source run directly (how `pnpm parley` ran it before the bundle). Medians.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createApiKey, createChat, signUp } from '../lib/accounts.ts';
import { benchPath, ROOT_DIR } from '../lib/processes.ts';
import { median, ms, note, printLine, times } from '../lib/report.ts';
import { startStack } from '../lib/stack.ts';

const RUNS = Number(process.env.BENCH_P8_RUNS ?? 15);
const BIN = join(ROOT_DIR, 'node_modules', '.bin', 'parley');
const SOURCE = join(ROOT_DIR, 'apps', 'cli', 'src', 'main.ts');

/** Wall milliseconds from spawn to exit; throws unless it exits 0. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const since = performance.now();
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const elapsed = performance.now() - since;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

export async function p8() {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run pnpm install (the root depends on @parley/cli)`);
  const { product } = await startStack();
  const account = await signUp(product.base);
  for (let i = 0; i < 20; i++) await createChat(product.base, account, { title: `chat ${i}` });
  const key = await createApiKey(product.base, account);
  // No saved login: the key and URL come from the environment, and a config file the bench cannot see stays unread.
  const env = {
    ...process.env,
    PATH: benchPath(),
    PARLEY_URL: product.base,
    PARLEY_API_KEY: key,
    PARLEY_CONFIG: '/nonexistent',
  };
  const node = process.execPath;
  const list = ['chats', 'list'];
  // Untimed: the first run builds the bundle when its sources changed; V8's compile cache fills.
  for (let i = 0; i < 3; i++) {
    await timed(BIN, list, env);
    await timed(BIN, ['--version'], env);
  }
  const floor: number[] = [];
  const chats: number[] = [];
  const version: number[] = [];
  const source: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    floor.push(await timed(node, ['-e', ''], env));
    chats.push(await timed(BIN, list, env));
    version.push(await timed(BIN, ['--version'], env));
    if (run < 5) source.push(await timed(node, [SOURCE, ...list], env));
  }
  note(
    `node_modules/.bin/parley (pnpm's bin shim → Node ${process.versions.node} → bin/parley.js → dist/parley.mjs), ${RUNS} interleaved runs each, after 3 untimed`,
  );
  note(`runs of chats list: ${chats.map((t) => t.toFixed(0)).join(', ')} ms`);
  note(
    `the TypeScript source run directly (node apps/cli/src/main.ts chats list): median ${ms(median(source))} of ${source.length}`,
  );
  const baseline = median(floor);
  const listed = median(chats);
  const versioned = median(version);
  printLine({
    id: 'P8',
    what: '`parley chats list` (20 chats, API key), wall, spawn to exit, median',
    baseline: `${ms(baseline)} (node -e '')`,
    figure: ms(listed),
    ratio: times(listed / baseline),
    target: '≤ 500 ms',
    met: listed <= 500,
  });
  printLine({
    id: 'P8',
    what: '`parley --version`, wall, spawn to exit, median',
    baseline: `${ms(baseline)} (node -e '')`,
    figure: ms(versioned),
    ratio: times(versioned / baseline),
    target: '≤ 200 ms',
    met: versioned <= 200,
  });
}

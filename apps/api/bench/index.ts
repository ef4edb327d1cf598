// pnpm bench [p1|p1b|p2|p3a|p3b|p3b-redis|p4|p5|p6|p7|p8 …] — TARGETS.md's P1–P6 and P8, measured from outside. Parley runs as
// it ships (its start command from package.json, NODE_ENV=production, default log level and pool) on a throwaway PostgreSQL
// database; baselines, load generators and clients each run in processes of their own. Throughput is compared in
// interleaved rounds (baseline, Parley, baseline, …) and the ratio is the median of the per-round ratios. Each
// target prints one line: id | what | baseline | Parley | ratio | target | MET or NOT MET.
//
// Env (all optional):
//   BENCH_POSTGRES_URL    server to create parley_bench_<pid>_<n> databases on (postgres://postgres@127.0.0.1:5432/postgres)
//   BENCH_SECONDS         seconds per timed load run (5)            BENCH_ROUNDS          interleaved rounds (3)
//   BENCH_CONNECTIONS     autocannon connections (50)               BENCH_WARMUP_SECONDS  untimed load first (3)
//   BENCH_P3A_RUNS        timed sends for P3a (100)                 BENCH_P3A_WARMUP      untimed sends first (30)
//   BENCH_P3B_REPLIES     live replies for P3b (2000)               BENCH_P3B_FOLLOWERS   follower processes (4)
//   BENCH_P3B_WORDS       words per P3b reply (60)                  BENCH_P3B_DELAY_MS    pause between words (750)
//   BENCH_P3B_RAMP_SECONDS  seconds over which the replies start (20)
//   BENCH_P4_MESSAGES     messages of the large user (1000000)      BENCH_P4_SMALL        of the small user (1000)
//   BENCH_P4_SECONDS      seconds of sequential calls per query and round (3)
//   BENCH_P6_RUNS         replies followed on both servers (20)     BENCH_P6_STOPS        stops through B (20)
//   BENCH_REDIS_URL       the Redis P6 servers share (redis://127.0.0.1:6379)
//   BENCH_P5_RUNS         cold starts of each (5)                 BENCH_P8_RUNS         timed CLI runs of each (15)
//   BENCH_P7_RUNS         timed gateway streams for P7 (200)      BENCH_P7_WARMUP       untimed streams first (100)
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { cleanupAll, ROOT_DIR } from './lib/processes.ts';
import { resolveStartCommand } from './lib/product.ts';
import { p1 } from './parts/p1.ts';
import { p1b } from './parts/p1b.ts';
import { p2 } from './parts/p2.ts';
import { p3a } from './parts/p3a.ts';
import { p3b } from './parts/p3b.ts';
import { p4 } from './parts/p4.ts';
import { p5 } from './parts/p5.ts';
import { p6 } from './parts/p6.ts';
import { p8 } from './parts/p8.ts';

/** P1 and P3a again with the server on Bun (BENCH_RUNTIME=bun, lib/product.ts), to read beside the Node lines. */
async function bun() {
  process.env.BENCH_RUNTIME = 'bun';
  try {
    process.stdout.write(`      Parley on Bun: ${resolveStartCommand().text}\n`);
    await p1();
    await cleanupAll();
    await p3a();
  } finally {
    delete process.env.BENCH_RUNTIME;
  }
}

const PARTS: Record<string, () => Promise<void>> = {
  p1,
  p1b,
  p2,
  p3a,
  p3b,
  'p3b-redis': () => p3b(true),
  p4,
  p5,
  p6,
  p7: async () => (await import('./parts/p7.ts')).p7(),
  p8,
  bun,
};

function header() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT_DIR, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT_DIR,
      encoding: 'utf8',
    });
    if (dirty.trim()) commit += ' + uncommitted changes';
  } catch {
    // not a git checkout
  }
  const start = resolveStartCommand();
  return `pnpm bench: commit ${commit}, Node ${process.versions.node}, start "${start.text}" (NODE_ENV=production)`;
}

async function main() {
  const wanted = process.argv.slice(2).map((a) => a.toLowerCase());
  const unknown = wanted.filter((name) => !PARTS[name]);
  if (unknown.length > 0)
    throw new Error(`unknown part ${unknown.join(', ')}; choose from ${Object.keys(PARTS).join(', ')}`);
  process.stdout.write(`${header()}\n`);
  for (const name of wanted.length > 0 ? wanted : Object.keys(PARTS)) {
    const load = loadavg()
      .map((n) => n.toFixed(2))
      .join(' ');
    process.stdout.write(`── ${name.toUpperCase()} (load average before: ${load})\n`);
    try {
      await PARTS[name]?.();
    } catch (error) {
      // One part failing (a server that crashed under load, say) is a finding; the other parts still run.
      process.stdout.write(`${name.toUpperCase()} failed: ${(error as Error).stack ?? error}\n`);
      process.exitCode = 1;
    } finally {
      await cleanupAll();
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanupAll().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}

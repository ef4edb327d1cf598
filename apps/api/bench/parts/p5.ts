// P5: start to ready on an already migrated PostgreSQL database — from spawning the README's start command
// (`pnpm start` at the root) to the first 200 from /ready — against a raw Fastify process with a postgres.js pool
// (servers/raw.ts) started the same way; interleaved runs, medians. Target ≤ 1.0 s.
import { createDatabase } from '../lib/database.ts';
import { README_START, resolveStartCommand, startProduct } from '../lib/product.ts';
import { startRaw } from '../lib/raw.ts';
import { median, ms, note, printLine, times } from '../lib/report.ts';

const RUNS = Number(process.env.BENCH_P5_RUNS ?? 5);

export async function p5() {
  const database = await createDatabase();
  // The first start applies the migrations; the timed ones find them applied.
  await (await startProduct({ databaseUrl: database.url })).stop();
  const direct = resolveStartCommand();
  const raw: number[] = [];
  const readme: number[] = [];
  const node: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const a = await startRaw(database.url);
    raw.push(a.readyMs);
    await a.started.stop();
    const b = await startProduct({ databaseUrl: database.url, command: README_START });
    readme.push(b.readyMs);
    await b.stop();
    const c = await startProduct({ databaseUrl: database.url, command: direct });
    node.push(c.readyMs);
    await c.stop();
  }
  const baseline = median(raw);
  const figure = median(readme);
  note(
    `without pnpm (\`${direct.text}\` in its folder): median ${ms(median(node))}; runs: ${readme.map((t) => t.toFixed(0)).join(', ')} ms`,
  );
  printLine({
    id: 'P5',
    what: `start to /ready, \`${README_START.text}\`, migrated PostgreSQL, median of ${RUNS}`,
    baseline: `${ms(baseline)} (raw Fastify process)`,
    figure: ms(figure),
    ratio: times(figure / baseline),
    target: '≤ 1000 ms',
    met: figure <= 1000,
  });
}

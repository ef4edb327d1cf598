// pnpm bench (second part) — request throughput through Parley against raw Fastify routes in the same process and
// run (TARGETS P1, P2). autocannon drives each route for BENCH_SECONDS (default 5) with 50 connections.
// Env: BENCH_SECONDS, BENCH_DATABASE_URL (PostgreSQL; default embedded PGlite in memory).
import autocannon from 'autocannon';
import { pino } from 'pino';
import { listChats } from '../src/modules/chat/service.ts';
import { createAuth } from '../src/shared/auth.ts';
import { signUpBenchUser, startBenchServer } from './setup.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

async function main() {
  const { app, config, database, base, port } = await startBenchServer();
  // The baselines: the same work through plain Fastify routes, no tRPC in between.
  const auth = createAuth({ config, db: database.db, log: pino({ level: 'silent' }) });
  app.get('/bench/raw', async () => ({ status: 'ok' }));
  app.get('/bench/raw-chats', async (request, reply) => {
    const found = await auth.api.getSession({ headers: new Headers(request.headers as Record<string, string>) });
    if (!found) return reply.code(401).send({ error: 'unauthorized' });
    return listChats({ db: database.db, userId: found.user.id, limit: 20 });
  });
  await app.listen({ host: '127.0.0.1', port });

  const cookie = await signUpBenchUser(base);
  for (let i = 0; i < 20; i++) {
    await fetch(`${base}/trpc/chat.create`, {
      method: 'POST',
      headers: { cookie, origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ json: { title: `chat ${i}` } }),
    });
  }

  const rate = async (path: string, headers: Record<string, string> = {}) => {
    const result = await autocannon({ url: `${base}${path}`, connections: 50, duration: SECONDS, headers });
    if (result.non2xx > 0) throw new Error(`${path}: ${result.non2xx} answers were not 2xx`);
    return result.requests.average;
  };
  const input = encodeURIComponent(JSON.stringify({ json: { limit: 20 } }));
  const raw = await rate('/bench/raw');
  const trpc = await rate('/trpc/auth.getSession');
  const rawChats = await rate('/bench/raw-chats', { cookie });
  const trpcChats = await rate(`/trpc/chat.list?input=${input}`, { cookie });

  const line = (id: string, what: string, baseline: number, figure: number, target: number) =>
    `${id} ${what}: raw Fastify ${Math.round(baseline)} req/s, through Parley ${Math.round(figure)} req/s → ${(figure / baseline).toFixed(2)}× (target ≥ ${target}×)`;
  const lines = [
    `http benchmark: ${SECONDS} s per route, 50 connections, ${database.kind}, Node ${process.versions.node} (load generator in the same process)`,
    line('P1', 'trivial query (auth.getSession, signed out)', raw, trpc, 0.5),
    line('P2', 'authenticated chat.list, 20 chats', rawChats, trpcChats, 0.85),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await app.close();
}

await main();

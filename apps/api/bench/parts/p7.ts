// P7: time to the first chunk carrying text of a streaming /v1/chat/completions through Parley's OpenAI-compatible
// gateway, against the same client calling the fake provider (its own process) directly; p50 over BENCH_P7_RUNS
// alternating runs. Target: ≤ 1 ms more than direct.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createApiKey, createProvider, signUp } from '../lib/accounts.ts';
import { startFake } from '../lib/fake.ts';
import { runWorker } from '../lib/processes.ts';
import { ms, note, percentile, printLine } from '../lib/report.ts';
import { startStack } from '../lib/stack.ts';

const RUNS = Number(process.env.BENCH_P7_RUNS ?? 200);
const WARMUP = Number(process.env.BENCH_P7_WARMUP ?? 100);

interface Timing {
  firstByte: number;
  firstText: number;
}

/** CPU time (user + system, ms) of one process, from /proc; clock ticks are 1/100 s on Linux. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The process listening on a TCP port (the server itself: `pnpm start` also runs the web build and esbuild as its
 * children, whose CPU is not the gateway's).
 */
function listenerPid(port: number): number {
  const inodes = listeningInodes(port);
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry) && holdsSocket(entry, inodes)) return Number(entry);
  }
  throw new Error(`nothing listens on port ${port}`);
}

/** The socket inodes listening on `port` (state 0A in /proc/net/tcp and tcp6). */
function listeningInodes(port: number): Set<string> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

function holdsSocket(pid: string, inodes: Set<string>): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) =>
      inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`).slice('socket:['.length, -1)),
    );
  } catch {
    return false; // exited, or not ours to read
  }
}

export async function p7() {
  const fake = await startFake({ words: 8, delayMs: 0 });
  // Production refuses loopback provider URLs; this setting is how a self-hosted provider is allowed.
  const { product } = await startStack({ extra: { PROVIDER_URL_ALLOWLIST: '127.0.0.1' } });
  const account = await signUp(product.base);
  const apiKey = await createApiKey(product.base, account);
  await createProvider(product.base, account, fake.baseUrl);

  const serverPid = listenerPid(product.port);
  const cpuBefore = cpuMs(serverPid);
  const { direct, gateway } = await runWorker<{ direct: Timing[]; gateway: Timing[] }>('gateway-first-chunk', {
    gateway: product.base,
    apiKey,
    model: 'Fake/fake-large',
    providerUrl: fake.baseUrl,
    runs: RUNS,
    warmup: WARMUP,
  });
  const cpuPerCall = (cpuMs(serverPid) - cpuBefore) / (RUNS + WARMUP);
  const p = (timings: Timing[], key: keyof Timing, q: number) =>
    percentile(
      timings.map((t) => t[key]),
      q,
    );
  const directText = p(direct, 'firstText', 50);
  const gatewayText = p(gateway, 'firstText', 50);
  note(
    `plain fetch, stream: true, API key as Bearer, ${RUNS} runs after ${WARMUP} untimed, alternating; ` +
      `first byte p50 direct ${ms(p(direct, 'firstByte', 50))}, gateway ${ms(p(gateway, 'firstByte', 50))}; ` +
      `first text p95 direct ${ms(p(direct, 'firstText', 95))}, gateway ${ms(p(gateway, 'firstText', 95))}; ` +
      `server CPU per gateway call ${ms(cpuPerCall)} (the listening process, /proc, warm-up included)`,
  );
  printLine({
    id: 'P7',
    what: '/v1/chat/completions (stream) to the first chunk with text, p50, vs the provider called directly',
    baseline: ms(directText),
    figure: ms(gatewayText),
    ratio: `+${ms(gatewayText - directText)}`,
    target: '≤ +1.00 ms',
    met: gatewayText - directText <= 1,
  });
}

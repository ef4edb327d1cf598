// Child processes of the bench: servers, load generators and clients each run in a process of their own, so
// nothing the bench does is measured as the server's work. Everything started here is stopped on exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const API_DIR = join(BENCH_DIR, '..');
export const ROOT_DIR = join(API_DIR, '..', '..');

const cleanups: (() => Promise<void>)[] = [];

/** Runs `fn` when the bench ends, however it ends; the last registered runs first. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export async function cleanupAll(): Promise<void> {
  while (cleanups.length > 0)
    await cleanups
      .pop()?.()
      .catch(() => {});
}

let scratch: string | undefined;
/** A folder for server logs, removed at the end. */
export function scratchDir(): string {
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
    scratch = dir;
    onCleanup(async () => {
      rmSync(dir, { recursive: true, force: true });
      scratch = undefined;
    });
  }
  return scratch;
}

/** PATH with this Node first, then the workspace's binaries (the same Node 24 every pnpm script runs on). */
export function benchPath(): string {
  const bins = [
    dirname(process.execPath),
    join(ROOT_DIR, 'node_modules', '.bin'),
    join(API_DIR, 'node_modules', '.bin'),
  ];
  return [...bins, process.env.PATH ?? ''].join(':');
}

export interface Started {
  child: ChildProcess;
  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines of its output, for error messages. */
  logTail(): string;
  /** Where its stdout and stderr go. */
  logFile: string;
}

/**
 * Starts a long-running process in its own process group with its output in a log file (a server writes its log as
 * it would in production, and the bench spends nothing reading it).
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Started {
  const logFile = join(scratchDir(), `${name}-${Date.now()}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  onCleanup(() => stop(2_000));
  const logTail = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '';
    }
  };
  return { child, stop, logTail, logFile };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Polls `url` until it answers 200; returns the milliseconds from `since` (a performance.now() value). */
export async function waitForOk(url: string, options: { since: number; timeoutMs: number; started?: Started }) {
  const deadline = options.since + options.timeoutMs;
  while (performance.now() < deadline) {
    const child = options.started?.child;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(
        `${url}: the process exited (${child.exitCode ?? child.signalCode})\n${options.started?.logTail()}`,
      );
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return performance.now() - options.since;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} did not answer 200 within ${options.timeoutMs} ms\n${options.started?.logTail() ?? ''}`);
}

/** Resident memory of a process in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

/** The deepest descendant of `pid` (pnpm → sh → node: the node that serves), or `pid` itself when it has none. */
export function leafProcess(pid: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // exited while we looked
    }
  }
  let current = pid;
  for (;;) {
    const child = [...parents].find(([, ppid]) => ppid === current)?.[0];
    if (child === undefined) return current;
    current = child;
  }
}

export interface WorkerOptions {
  /** Called with every line the worker prints, as it prints it (progress reports; the last line is the result). */
  onLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs bench/workers/<name>.ts in a child process with `input` as JSON; resolves with the JSON of the last line it
 * prints. Load generators and clients run this way, never in the bench's own process.
 */
export async function runWorker<T>(name: string, input: unknown, options: WorkerOptions = {}): Promise<T> {
  const child = spawn(process.execPath, [join(BENCH_DIR, 'workers', `${name}.ts`), JSON.stringify(input)], {
    cwd: API_DIR,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = async () => {
    child.kill('SIGKILL');
  };
  onCleanup(kill);
  let last = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    options.onLine?.(line);
    last = line;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`worker ${name} exited with ${code}: ${stderr}`);
  return JSON.parse(last) as T;
}

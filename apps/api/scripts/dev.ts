// pnpm dev — the API (restarted when its source changes; pino-pretty lines) and the web app (Vite: hot
// reload, proxying /trpc and /api to the API) together, each line tagged [api] or [web]. The web app's origin is
// added to TRUSTED_ORIGINS for the API. Ctrl-C stops both; when one ends, the other is stopped too.
//
//   PORT, HOST (the API, 3000 and 127.0.0.1)   WEB_PORT (Vite, 5173)   .env at the root is read first
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(API_DIR, '..', '..');
const WEB_DIR = join(ROOT, 'apps', 'web');
const VITE = join(WEB_DIR, 'node_modules', 'vite', 'bin', 'vite.js');

// The same .env the API reads, read here first so that both sides agree on the API's address.
if (existsSync(join(ROOT, '.env'))) process.loadEnvFile(join(ROOT, '.env'));
const host = process.env.HOST ?? '127.0.0.1';
const apiPort = process.env.PORT ?? '3000';
const webPort = process.env.WEB_PORT ?? '5173';
const webOrigin = `http://localhost:${webPort}`;
const colors = process.stdout.isTTY === true && !process.env.NO_COLOR;
const tag = (name: string, color: number) => (colors ? `\x1b[${color}m[${name}]\x1b[39m` : `[${name}]`);
const childEnv = { ...process.env, ...(colors ? { FORCE_COLOR: '1' } : {}) };

function pipeLines(child: ChildProcess, prefix: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix} ${line}\n`));
  }
}

function start(name: string, color: number, args: string[], cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  pipeLines(child, tag(name, color));
  return child;
}

/** One side of `pnpm dev`: whether it runs, how to stop it, and when it ended on its own. */
interface Runner {
  name: string;
  stop(): void;
  onExit(listener: (how: string) => void): void;
}

function runner(name: string, child: ChildProcess): Runner {
  return {
    name,
    stop: () => child.kill('SIGTERM'),
    onExit: (listener) => child.once('exit', (code, signal) => listener(signal ?? `exit ${code}`)),
  };
}

/**
 * The API, started again when a file under src/ changes (after a pause, so a save of several files restarts it once).
 * Our own loop rather than `node --watch`, whose watcher aborted on an assertion when stopped by a signal and left
 * the server it had started running.
 */
function startApi(env: NodeJS.ProcessEnv): Runner {
  const startOnce = () => start('api', 36, ['src/index.ts'], API_DIR, env);
  let current: ChildProcess | null = startOnce();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let onEnd: (how: string) => void = () => {};
  const follow = (child: ChildProcess) =>
    child.once('exit', (code, signal) => {
      if (child === current) onEnd(signal ?? `exit ${code}`);
    });
  follow(current);
  const watcher = watch(join(API_DIR, 'src'), { recursive: true }, (_event, file) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (stopped) return;
      process.stdout.write(`${tag('dev', 33)} ${file} changed: restarting the API\n`);
      const old = current;
      if (!old) return; // a restart already waits for the old one to end
      const next = () => {
        if (stopped) return;
        current = startOnce();
        follow(current);
      };
      current = null; // the old one's exit is a restart, not an end
      if (old.exitCode !== null || old.signalCode !== null) next();
      else {
        old.once('exit', next);
        old.kill('SIGTERM');
      }
    }, 200);
  });
  return {
    name: 'the API',
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      watcher.close();
      current?.kill('SIGTERM');
    },
    onExit: (listener) => {
      onEnd = listener;
    },
  };
}

const api = startApi({
  ...childEnv,
  TRUSTED_ORIGINS: [process.env.TRUSTED_ORIGINS, webOrigin].filter(Boolean).join(','),
});
const web = runner(
  'the web app',
  start('web', 35, [VITE, '--port', webPort, '--strictPort'], WEB_DIR, {
    ...childEnv,
    PARLEY_API_URL: `http://${host.includes(':') ? `[${host}]` : host}:${apiPort}`,
  }),
);
const runners = [api, web];
process.stdout.write(
  `${tag('dev', 33)} the API on http://${host}:${apiPort}, the web app on ${webOrigin} (Ctrl-C stops both)\n`,
);

let stopping = false;
function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const side of runners) side.stop();
}
for (const side of runners) {
  side.onExit((how) => {
    if (!stopping) process.stdout.write(`${tag('dev', 33)} ${side.name} ended (${how}); stopping the other\n`);
    stopAll(stopping ? 0 : 1);
  });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll(0));

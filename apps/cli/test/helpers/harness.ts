// The real `parley` command (bin/parley.js running the bundle) as a child process, against a real API server (also a
// child process) that talks to a fake OpenAI-compatible provider. Nothing in between is mocked.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppRouter } from '@parley/shared';
import { createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';

export const BIN = new URL('../../bin/parley.js', import.meta.url).pathname;
const API_ENTRY = new URL('../../../api/src/index.ts', import.meta.url).pathname;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed (else stdin is /dev/null). */
  input?: string;
  /** The Node binary to run it with (default: this one). */
  node?: string;
}

/** A scratch HOME for the runs of one test file. */
export function scratchHome(): string {
  return mkdtempSync(join(tmpdir(), 'parley-cli-home-'));
}

export function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<Run> {
  const child = spawn(options.node ?? process.execPath, [command, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface Api {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** The API from its source on a fresh embedded database. */
export async function startApi(home: string, extraEnv: Record<string, string> = {}): Promise<Api> {
  // A known port rather than PORT=0: Better Auth trusts only PUBLIC_URL's origin, which PORT=0 would make :0.
  const port = await freePort();
  let output = '';
  const server: ChildProcess = spawn(process.execPath, [API_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      PORT: String(port),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-cli-data-')),
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  server.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const api: Api = {
    url: '',
    output: () => output,
    stop: async () => {
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await exited;
      }
    },
  };
  for (let waited = 0; waited < 30_000; waited += 100) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (match?.[1]) return { ...api, url: match[1] };
    if (server.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await api.stop();
  throw new Error(`the API server did not start:\n${output}`);
}

/** Signs up through Better Auth and makes an API key with the session cookie, as a person would in the web app. */
export async function createApiKey(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email, password: 'correct horse battery', name: 'CLI Tester' }),
  });
  if (response.status !== 200) throw new Error(`sign-up answered ${response.status}: ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
  const browser = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, transformer: superjson, headers: { cookie, origin: url } })],
  });
  return (await browser.auth.apiKeys.create.mutate({ name: 'cli tests' })).key;
}

// Why the server could not start, in one line a person can act on: which variable is wrong, which database address
// did not answer, which port is taken, which migration failed and why. index.ts prints it and exits 1; the stack
// follows only with LOG_LEVEL=debug.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, MIGRATIONS_FOLDER, openDatabase } from './shared/db/client.ts';
import { type Config, ConfigError } from './shared/lib/env.ts';

export type StartupPhase = 'config' | 'database' | 'migrate' | 'build' | 'listen';

export interface StartupContext {
  phase: StartupPhase;
  /** The database, as DATABASE_URL or DATA_DIR named it (never with its password). */
  database?: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  host?: string;
  port?: number;
}

interface CodedError {
  code?: unknown;
  message?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  query?: unknown;
  cause?: unknown;
}

/** Network failures: nothing answered at the address (or the name does not resolve). */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved now',
  ETIMEDOUT: 'the connection timed out',
  CONNECT_TIMEOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the connection was reset',
  CONNECTION_CLOSED: 'the connection was closed',
  CONNECTION_ENDED: 'the connection was closed',
  CONNECTION_DESTROYED: 'the connection was closed',
  '57P03': 'the database is starting up or shutting down',
  '53300': 'the database has too many connections',
};

/**
 * Opens the configured database and migrates it, the way the server's start and every maintenance script do,
 * recording in `context` which phase a failure happened in (for describeStartupFailure). A migration that fails
 * closes the database again.
 */
export async function openMigratedDatabase(config: Config, context: StartupContext): Promise<Database> {
  context.database = config.database;
  context.phase = 'database';
  const database = await openDatabase(config.database, config.databaseTimeouts);
  context.phase = 'migrate';
  try {
    await database.migrate();
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return database;
}

/** The errors in a cause chain, outermost first (AggregateErrors' members included). */
function chain(error: unknown): CodedError[] {
  const found: CodedError[] = [];
  const visit = (current: unknown, depth: number) => {
    if (depth > 8 || typeof current !== 'object' || current === null) return;
    found.push(current as CodedError);
    if (current instanceof AggregateError) for (const inner of current.errors) visit(inner, depth + 1);
    visit((current as CodedError).cause, depth + 1);
  };
  visit(error, 0);
  return found;
}

const codeOf = (error: CodedError) => (typeof error.code === 'string' ? error.code : undefined);
const messageOf = (error: CodedError) => (typeof error.message === 'string' ? error.message : '');

/** host:port of a PostgreSQL URL, without the user or password. */
export function databaseAddress(url: string): string {
  try {
    const parsed = new URL(url);
    const socketHost = parsed.searchParams.get('host');
    return `${socketHost ?? (parsed.hostname || 'localhost')}:${parsed.port || '5432'}`;
  } catch {
    return 'the address in DATABASE_URL';
  }
}

function where(context: StartupContext): string {
  const database = context.database;
  if (!database) return 'the database';
  return database.kind === 'postgres'
    ? `the database at ${databaseAddress(database.url)}`
    : `the embedded database in ${database.dataDir}`;
}

/** The migration file holding a failed statement, when one does. */
function migrationFileOf(query: string): string | null {
  try {
    const files = readdirSync(MIGRATIONS_FOLDER).filter((name) => name.endsWith('.sql'));
    return files.find((name) => readFileSync(join(MIGRATIONS_FOLDER, name), 'utf8').includes(query.trim())) ?? null;
  } catch {
    return null;
  }
}

/** Where a failed statement is: its migration file, and its first line, short. */
function statementOf(errors: CodedError[]): string {
  const query = errors.map((e) => e.query).find((q): q is string => typeof q === 'string');
  if (!query) return '';
  const line = query.trim().split('\n')[0] ?? '';
  const file = migrationFileOf(query);
  return ` (${file ? `drizzle/${file}, ` : ''}\`${line.length > 60 ? `${line.slice(0, 57)}…` : line}\`)`;
}

function describeUnreachable(error: CodedError, code: string, context: StartupContext): string {
  const own =
    typeof error.address === 'string' && typeof error.port === 'number' ? `${error.address}:${error.port}` : null;
  // While opening the database it is the database; later (Redis, …) the error's own address says who.
  const what = context.phase === 'database' || context.phase === 'migrate' || !own ? where(context) : own;
  return `cannot reach ${what}: ${UNREACHABLE[code]} (${code})`;
}

function describeDatabase(errors: CodedError[], context: StartupContext): string | null {
  for (const error of errors) {
    const code = codeOf(error) ?? '';
    if (UNREACHABLE[code]) return describeUnreachable(error, code, context);
    if (code === '28P01' || code === '28000')
      return `${where(context)} refused the login: ${messageOf(error)} (${code})`;
    if (code === '3D000') {
      return `${where(context)}: ${messageOf(error)}; create it (createdb) or fix DATABASE_URL (${code})`;
    }
  }
  return null;
}

/** The one line to print, without the "cannot start" prefix. */
export function describeStartupFailure(error: unknown, context: StartupContext): string {
  if (error instanceof ConfigError) {
    const [first, ...rest] = error.message.split('\n').map((line) => line.trim());
    return `${[first?.replace(/:$/, ''), rest.join('; ')].filter(Boolean).join(': ')} (see .env.example)`;
  }
  const errors = chain(error);
  const database = describeDatabase(errors, context);
  if (database) return database;
  const code = codeOf(errors[0] ?? {});
  const address = `${context.host}:${context.port}`;
  switch (context.phase) {
    case 'listen':
      if (code === 'EADDRINUSE')
        return `port ${context.port} on ${context.host} is already in use; stop what uses it or set PORT`;
      if (code === 'EACCES')
        return `not allowed to listen on ${address} (EACCES); ports below 1024 need privileges, set PORT`;
      if (code === 'EADDRNOTAVAIL') return `HOST ${context.host} is not an address of this machine (EADDRNOTAVAIL)`;
      return `cannot listen on ${address}: ${innermost(errors)}`;
    case 'migrate': {
      const failing = errors.find((e) => typeof codeOf(e) === 'string' && /^[0-9A-Z]{5}$/.test(codeOf(e) ?? ''));
      const why = failing ? `${messageOf(failing)} (SQLSTATE ${codeOf(failing)})` : innermost(errors);
      return `a database migration failed${statementOf(errors)}: ${why}`;
    }
    case 'database':
      return `cannot open ${where(context)}: ${innermost(errors)}`;
    default:
      return innermost(errors);
  }
}

/** The most specific message in the chain (a wrapper's "Failed query: …" says less than its cause). */
function innermost(errors: CodedError[]): string {
  const messages = errors.map(messageOf).filter(Boolean);
  const code = errors.map(codeOf).find(Boolean);
  const message = messages.at(-1) ?? 'unknown error';
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

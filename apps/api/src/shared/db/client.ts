// Opens the database: PostgreSQL through postgres.js when DATABASE_URL is set, otherwise embedded PGlite.
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type Logger, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { DatabaseConfig, DatabaseTimeouts } from '../lib/env.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The Drizzle database, whichever driver is underneath. A transaction (`tx`) has the same type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Applies every committed migration not yet applied. */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Connections the pool may open, and queries running or waiting for one now (metrics). */
  stats(): { max: number; busy: number };
  close(): Promise<void>;
}

/** Queries running or waiting on each bounded postgres.js client. */
const inFlight = new WeakMap<object, { busy: number }>();

export const MIGRATIONS_FOLDER = new URL('../../../drizzle', import.meta.url).pathname;

export const DEFAULT_TIMEOUTS: DatabaseTimeouts = { connectMs: 1_500, acquireMs: 1_000, statementMs: 30_000 };

export async function openDatabase(config: DatabaseConfig, timeouts = DEFAULT_TIMEOUTS): Promise<Database> {
  if (config.kind === 'postgres') {
    // Migrations get a client of their own without statement_timeout: building an index on a large table, or waiting
    // for another server's migration lock, may take longer than any request should.
    const openMigrationClient = () =>
      postgres(config.url, { max: 2, onnotice: () => {}, connect_timeout: timeouts.connectMs / 1000 });
    return fromPostgres(openPostgres(config.url, config.poolMax, timeouts), {}, openMigrationClient);
  }
  // Loaded here: the lock library (proper-lockfile, graceful-fs) costs ~30 ms to import, and PostgreSQL needs none.
  const { acquireDataDirLock } = await import('./lock.ts');
  const release = acquireDataDirLock(config.dataDir);
  try {
    const client = await PGlite.create(config.dataDir);
    return fromPglite(client, {}, release);
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * A postgres.js client whose every wait is bounded: connecting (connect_timeout), running (statement_timeout, set
 * by PostgreSQL for each connection) and waiting for a free connection of the pool (postgres.js has no bound of
 * its own: raceAcquire answers the caller when no connection took the query within acquireMs). With the database down,
 * a query fails within about connectMs and the caller answers 503; when it is back, the next query reconnects.
 */
export function openPostgres(url: string, max: number, timeouts: DatabaseTimeouts): postgres.Sql {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: timeouts.connectMs / 1000,
    connection: { statement_timeout: timeouts.statementMs },
  });
  return boundAcquire(client, timeouts.acquireMs);
}

function boundAcquire(client: postgres.Sql, acquireMs: number): postgres.Sql {
  const unsafe = client.unsafe.bind(client);
  const counter = { busy: 0 };
  const bounded = ((...args: Parameters<postgres.Sql['unsafe']>) => {
    const query = unsafe(...args);
    // postgres.js runs a query when it is awaited (its `then`); this instance's own `then` races that against the
    // bound. `.values()` and the like return the same instance, so they are raced too.
    const run = query.then.bind(query) as Promise<unknown>['then'];
    let raced: Promise<unknown> | undefined;
    Object.defineProperty(query, 'then', {
      value: (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) => {
        if (!raced) {
          counter.busy++;
          raced = raceAcquire(query, run, acquireMs);
          raced.then(
            () => counter.busy--,
            () => counter.busy--,
          );
        }
        return raced.then(onFulfilled, onRejected);
      },
    });
    return query;
  }) as postgres.Sql['unsafe'];
  const proxy = new Proxy(client, {
    get(target, property, receiver) {
      return property === 'unsafe' ? bounded : Reflect.get(target, property, receiver);
    },
  });
  inFlight.set(proxy, counter);
  return proxy;
}

/** A database error saying no pooled connection took the query in time (errors.ts maps it to 503). */
export class PoolAcquireTimeoutError extends Error {
  override name = 'PoolAcquireTimeoutError';
  readonly code = 'POOL_ACQUIRE_TIMEOUT';
}

/**
 * Rejects the caller when no connection has taken the query (`state` is set once one has) within acquireMs. The query
 * itself is not cancelled: postgres.js would leave a connection that is connecting for it stuck for good (its first
 * query, once cancelled, is never sent, and the connection never becomes free). It runs or fails later, unseen; a
 * write the caller was told failed (503) may so still be applied, but never one it was told succeeded.
 */
function raceAcquire(query: object, run: Promise<unknown>['then'], acquireMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // A weak reference: the timer must not keep a finished query's rows alive (a streamed export reads ~1,000 rows
    // a millisecond; the heap held ~100 MB of finished results).
    const pending = new WeakRef(query);
    const timer = setTimeout(() => {
      const queued = pending.deref() as { state?: unknown } | undefined;
      if (queued && !queued.state) {
        reject(new PoolAcquireTimeoutError(`no database connection took the query within ${acquireMs} ms`));
      }
    }, acquireMs);
    timer.unref();
    run(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Options for the Drizzle instance; `logger` sees every query (tests count them). */
export interface DrizzleOptions {
  logger?: Logger;
}

export function fromPostgres(
  client: postgres.Sql,
  options: DrizzleOptions = {},
  openMigrationClient?: () => postgres.Sql,
): Database {
  const db = drizzlePostgres({ client, schema, ...options });
  return {
    db,
    kind: 'postgres',
    async migrate() {
      if (await isMigrated(db)) return;
      const own = openMigrationClient?.();
      const migrator = own ?? client;
      const migratorDb = own ? drizzlePostgres({ client: own, schema }) : db;
      // A session-level advisory lock on a reserved connection keeps two servers from migrating at once.
      const lockConnection = await migrator.reserve();
      try {
        await lockConnection`select pg_advisory_lock(7264011)`;
        await migratePostgres(migratorDb, { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await lockConnection`select pg_advisory_unlock(7264011)`.catch(() => {});
        lockConnection.release();
        await own?.end({ timeout: 5 });
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    stats: () => ({ max: client.options.max, busy: inFlight.get(client)?.busy ?? 0 }),
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

export function fromPglite(client: PGlite, options: DrizzleOptions = {}, onClose: () => void = () => {}): Database {
  const db = drizzlePglite({ client, schema, ...options });
  return {
    db,
    kind: 'pglite',
    async migrate() {
      if (await isMigrated(db)) return;
      await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    async ping() {
      if (client.closed) throw new Error('the embedded database is closed');
      await db.execute(sql`select 1`);
    },
    stats: () => ({ max: 1, busy: 0 }),
    async close() {
      if (!client.closed) await client.close();
      onClose();
    },
  };
}

/**
 * True when the migrator would apply nothing: it applies each journal entry newer than the newest `created_at` in
 * drizzle.__drizzle_migrations, so when the journal's newest entry is not newer, there is nothing to do. This reads
 * one small JSON file and runs one query instead of reading and hashing every migration file at each start.
 */
/** The rows of a raw `db.execute()`: postgres.js answers with the rows, PGlite with `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}

export async function isMigrated(db: Db): Promise<boolean> {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as {
    entries: { when: number }[];
  };
  const newest = Math.max(...journal.entries.map((entry) => entry.when));
  try {
    const result = await db.execute(sql`select max(created_at) as applied from drizzle.__drizzle_migrations`);
    const applied = rowsOf<{ applied: unknown }>(result)[0]?.applied;
    return applied !== null && applied !== undefined && Number(applied) >= newest;
  } catch {
    // No migrations table yet: a new database.
    return false;
  }
}

// Opens the database: PostgreSQL through postgres.js when DATABASE_URL is set, otherwise embedded PGlite.
import { PGlite } from '@electric-sql/pglite';
import { type Logger, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { DatabaseConfig } from '../lib/env.ts';
import { acquireDataDirLock } from './lock.ts';
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
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = new URL('../../../drizzle', import.meta.url).pathname;

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.kind === 'postgres') return fromPostgres(postgres(config.url, { max: 10, onnotice: () => {} }));
  const release = acquireDataDirLock(config.dataDir);
  try {
    const client = await PGlite.create(config.dataDir);
    return fromPglite(client, {}, release);
  } catch (error) {
    release();
    throw error;
  }
}

/** Options for the Drizzle instance; `logger` sees every query (tests count them). */
export interface DrizzleOptions {
  logger?: Logger;
}

export function fromPostgres(client: postgres.Sql, options: DrizzleOptions = {}): Database {
  const db = drizzlePostgres({ client, schema, ...options });
  return {
    db,
    kind: 'postgres',
    async migrate() {
      // A session-level advisory lock on a reserved connection keeps two servers from migrating at once.
      const lockConnection = await client.reserve();
      try {
        await lockConnection`select pg_advisory_lock(7264011)`;
        await migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await lockConnection`select pg_advisory_unlock(7264011)`.catch(() => {});
        lockConnection.release();
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
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
      await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    async ping() {
      if (client.closed) throw new Error('the embedded database is closed');
      await db.execute(sql`select 1`);
    },
    async close() {
      if (!client.closed) await client.close();
      onClose();
    },
  };
}

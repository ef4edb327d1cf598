// Starting on a migrated database checks one row instead of reading and hashing every migration file; a database
// behind the journal still goes through the migrator.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, isMigrated } from '../src/shared/db/client.ts';
import { openTestDatabase } from './helpers/database.ts';

let database: Database | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

describe('what works', () => {
  it('on a migrated database, migrate() runs one query and applies nothing', async () => {
    const queries: string[] = [];
    database = await openTestDatabase({ logger: { logQuery: (query) => queries.push(query) } });
    expect(await isMigrated(database.db)).toBe(true);
    queries.length = 0;
    await database.migrate();
    expect(queries).toHaveLength(1);
    expect(queries[0]).toContain('__drizzle_migrations');
  });
});

describe('what fails, and how', () => {
  it('a database whose newest applied migration is older than the journal goes through the migrator', async () => {
    const queries: string[] = [];
    database = await openTestDatabase({ logger: { logQuery: (query) => queries.push(query) } });
    // As if the newest migration had not been applied yet.
    await database.db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
    );
    expect(await isMigrated(database.db)).toBe(false);
  });

  it('a database without the migrations table is not migrated', async () => {
    database = await openTestDatabase();
    await database.db.execute(sql`drop table drizzle.__drizzle_migrations`);
    expect(await isMigrated(database.db)).toBe(false);
    // The migrator recreates its table and, finding the schema in place, fails on the first CREATE: proof it ran.
    await expect(database.migrate()).rejects.toThrow();
  });
});

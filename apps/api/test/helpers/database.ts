// A fresh database for one test file, copied from the run's migrated template.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, type DrizzleOptions, fromPglite, fromPostgres } from '../../src/shared/db/client.ts';

export type TestDatabaseInfo =
  | { kind: 'pglite'; dumpFile: string }
  | { kind: 'postgres'; url: string; template: string; prefix: string };

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: TestDatabaseInfo;
  }
}

export function databaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh PostgreSQL database copied from the run's migrated template, by URL (for servers in other processes). */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const info = inject('testDatabase');
  if (info.kind !== 'postgres') throw new Error('needs TEST_DATABASE_URL (PostgreSQL)');
  const name = `${info.prefix}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(info.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${info.template}"`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(info.url, name),
    async drop() {
      const dropper = postgres(info.url, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists "${name}" with (force)`).finally(() => dropper.end());
    },
  };
}

export async function openTestDatabase(options: DrizzleOptions = {}): Promise<Database> {
  const info = inject('testDatabase');
  if (info.kind === 'pglite') {
    const client = await PGlite.create({ loadDataDir: new Blob([readFileSync(info.dumpFile)]) });
    return fromPglite(client, options);
  }
  const name = `${info.prefix}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(info.url, { max: 1, onnotice: () => {} });
  try {
    // Two workers copying the template at the same moment can collide; the copy is retried.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.unsafe(`create database "${name}" template "${info.template}"`);
        break;
      } catch (error) {
        if (attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  const database = fromPostgres(postgres(databaseUrl(info.url, name), { max: 5, onnotice: () => {} }), options);
  return {
    ...database,
    async close() {
      await database.close();
      const dropper = postgres(info.url, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists "${name}" with (force)`).finally(() => dropper.end());
    },
  };
}

// Migrates one template database per run; each test file then starts from a copy of it (no per-file migration).
// PGlite: a dump of a migrated in-memory instance. PostgreSQL (TEST_DATABASE_URL): a template database.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { fromPglite, fromPostgres } from '../../src/shared/db/client.ts';
import { databaseUrl, type TestDatabaseInfo } from '../helpers/database.ts';

export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const client = await PGlite.create();
    const database = fromPglite(client);
    await database.migrate();
    const dump = await client.dumpDataDir('none');
    await database.close();
    const dir = mkdtempSync(join(tmpdir(), 'parley-test-'));
    const dumpFile = join(dir, 'template.tar');
    writeFileSync(dumpFile, Buffer.from(await dump.arrayBuffer()));
    project.provide('testDatabase', { kind: 'pglite', dumpFile } satisfies TestDatabaseInfo);
    process.stdout.write('test database: embedded PGlite, each file from a migrated dump\n');
    return () => rmSync(dir, { recursive: true, force: true });
  }

  const prefix = `parley_t${process.pid}_${Date.now().toString(36)}`;
  const template = `${prefix}_template`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${template}"`);
  const database = fromPostgres(postgres(databaseUrl(url, template), { max: 2, onnotice: () => {} }));
  await database.migrate();
  await database.close();
  project.provide('testDatabase', { kind: 'postgres', url, template, prefix } satisfies TestDatabaseInfo);
  process.stdout.write(`test database: PostgreSQL at ${new URL(url).host}, each file from template ${template}\n`);
  return async () => {
    const left = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${prefix}%`}`;
    for (const { datname } of left) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.end();
  };
}

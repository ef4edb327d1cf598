// A throwaway PostgreSQL database per part (parley_bench_<pid>_<n>), dropped at the end.
import postgres from 'postgres';
import { onCleanup } from './processes.ts';

/** The server the bench may create databases on (BENCH_POSTGRES_URL). */
export const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let created = 0;

export interface BenchDatabase {
  name: string;
  url: string;
  /** A connection for seeding and checks (the bench's, not the server's). */
  sql: postgres.Sql;
}

export async function createDatabase(): Promise<BenchDatabase> {
  const name = `parley_bench_${process.pid}_${++created}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  onCleanup(async () => {
    await sql.end({ timeout: 1 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 1 });
  });
  return { name, url: url.toString(), sql };
}

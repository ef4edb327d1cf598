// Many rows at once, written by the database itself (generate_series): accounts large enough to cross the batch
// sizes of the export and the deletion without thousands of round trips.
import { randomUUID } from 'node:crypto';
import { is, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../../src/shared/db/client.ts';
import * as schema from '../../src/shared/db/schema/index.ts';

export interface SeedChat {
  userId: string;
  /** Pairs of a question and a complete reply (2 messages each). */
  pairs: number;
  providerId?: string | null;
  model?: string;
  /** When the first message was created; each next one a second later. */
  start?: Date;
}

/** A chat with `pairs` questions and complete replies (input tokens 3, output 5 per reply); returns its id. */
export async function seedChat(db: Db, options: SeedChat): Promise<string> {
  const chatId = randomUUID();
  const { userId, pairs, providerId = null, model = 'seed-model', start = new Date() } = options;
  await db.execute(sql`insert into chat (id, user_id, title, provider_id, model) values
    (${chatId}, ${userId}, ${`Seeded ${pairs}`}, ${providerId}, ${model})`);
  await db.execute(sql`
    insert into message (id, user_id, chat_id, role, status, text, parts, provider_id, model, input_tokens,
      output_tokens, created_at, updated_at)
    select ${chatId} || '-' || g, ${userId}, ${chatId},
      case when g % 2 = 1 then 'user' else 'assistant' end,
      'complete',
      'message ' || g || ' "quoted" \\ and a line
break',
      jsonb_build_array(jsonb_build_object('type', 'text', 'text', 'message ' || g)),
      case when g % 2 = 0 then ${providerId}::text end,
      case when g % 2 = 0 then ${model}::text end,
      case when g % 2 = 0 then 3 end,
      case when g % 2 = 0 then 5 end,
      ${start.toISOString()}::timestamptz + g * interval '1 second',
      ${start.toISOString()}::timestamptz + g * interval '1 second'
    from generate_series(1, ${pairs * 2}) g`);
  return chatId;
}

/** Rows of a raw query, whichever driver (postgres.js gives an array, PGlite `{ rows }`). */
export async function rowsOf<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

/** Every table of the schema with a user_id column. */
export function tablesWithUserId(): string[] {
  return (Object.values(schema) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => getTableConfig(table))
    .filter((config) => config.columns.some((c) => c.name === 'user_id'))
    .map((config) => config.name);
}

/** How many rows of this user each table holds (tables with user_id, the user row, and verification by email). */
export async function rowCounts(db: Db, userId: string, email?: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tablesWithUserId()) {
    const [row] = await rowsOf<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${sql.identifier(table)} where user_id = ${userId}`,
    );
    counts[table] = Number(row?.n);
  }
  const [own] = await rowsOf<{ n: number }>(db, sql`select count(*)::int as n from "user" where id = ${userId}`);
  counts.user = Number(own?.n);
  if (email) {
    const [tokens] = await rowsOf<{ n: number }>(
      db,
      sql`select count(*)::int as n from verification where identifier = ${email} or value = ${userId}`,
    );
    counts.verification = Number(tokens?.n);
  }
  return counts;
}

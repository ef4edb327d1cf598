// P4's data: a user with `messages` messages over `chats` chats, written straight into PostgreSQL with
// generate_series. Each chat is a chain of user and assistant messages; an assistant message carries tokens, like a
// finished reply. The message table's triggers are off while it is written (row by row, the usage rollup trigger
// took 2 minutes for 1 M rows here), and the rollups are then written in one grouped statement, as the migration
// that created them backfills them; p4.ts checks users.usage counts every reply.
import type postgres from 'postgres';

export interface Seeded {
  chatIds: string[];
  assistantMessages: number;
}

export async function seedMessages(
  sql: postgres.Sql,
  options: { userId: string; tag: string; messages: number; chats: number },
) {
  const { userId, tag, messages, chats } = options;
  await sql`
    insert into chat (id, user_id, title, model, created_at, updated_at)
    select ${tag} || '-c-' || g, ${userId}, 'chat ' || g, 'fake-large',
      now() - interval '30 days', now() - g * interval '1 minute'
    from generate_series(0, ${chats - 1}::int) g`;
  await sql`alter table message disable trigger user`;
  await sql`
    insert into message (id, user_id, chat_id, parent_id, role, parts, text, status, model,
      input_tokens, output_tokens, created_at, updated_at)
    select ${tag} || '-m-' || g, ${userId}, ${tag} || '-c-' || (g % ${chats}::int),
      case when g >= ${chats}::int then ${tag} || '-m-' || (g - ${chats}::int) end,
      r.role, jsonb_build_array(jsonb_build_object('type', 'text', 'text', t.text)), t.text, 'complete', 'fake-large',
      case when r.role = 'assistant' then 50 end, case when r.role = 'assistant' then 120 end, at, at
    from generate_series(0, ${messages - 1}::int) g,
      lateral (select case when (g / ${chats}::int) % 2 = 0 then 'user' else 'assistant' end as role) r,
      lateral (select 'message ' || g || ': ' || repeat('lorem ipsum ', 8) as text) t,
      lateral (select now() - (${messages}::int - g) * interval '1 second' as at) a`;
  await sql`alter table message enable trigger user`;
  await backfillRollups(sql, userId);
  await sql`analyze`;
  const chatIds = Array.from({ length: chats }, (_, g) => `${tag}-c-${g}`);
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from message where user_id = ${userId} and role = 'assistant'`;
  return { chatIds, assistantMessages: row?.n ?? 0 } satisfies Seeded;
}

/** What the usage rollup trigger (migration 0004) would have written for these rows, when the table exists. */
async function backfillRollups(sql: postgres.Sql, userId: string) {
  const [table] = await sql<{ found: string | null }[]>`select to_regclass('usage_daily')::text as found`;
  if (!table?.found) return;
  await sql`
    insert into usage_daily (user_id, day, provider_id, model, input_tokens, output_tokens, messages)
    select user_id, (created_at at time zone 'UTC')::date, provider_id, model,
      sum(coalesce(input_tokens, 0)), sum(coalesce(output_tokens, 0)), count(*)::int
    from message
    where user_id = ${userId} and role = 'assistant' and status in ('complete', 'stopped', 'error')
    group by 1, 2, 3, 4`;
}

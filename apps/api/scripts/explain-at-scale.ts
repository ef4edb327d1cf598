// pnpm --filter @parley/api exec node scripts/explain-at-scale.ts [messages]
// The query plans of the reads that must not grow with an account (P4), on PostgreSQL, for one user with 1 M
// messages (default) in 20 chats beside a second, small user: a page of chat.messages (first and deep), users.usage,
// the export's pages and the deletion's batch. Prints each plan with its timing and buffers, so a plan that reads a
// whole chat (a Sort, a Seq Scan, thousands of buffers) shows. Works on a throwaway database it drops at the end.
// Env: EXPLAIN_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres); EXPLAIN_KEEP=1 keeps the database.
import postgres from 'postgres';
import { fromPostgres } from '../src/shared/db/client.ts';

const ADMIN_URL = process.env.EXPLAIN_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MESSAGES = Number(process.argv[2] ?? 1_000_000);
const CHATS = 20;

class RolledBack extends Error {
  readonly rows: unknown[];
  constructor(rows: unknown[]) {
    super('rolled back');
    this.rows = rows;
  }
}

const name = `parley_explain_${process.pid}`;
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${name}"`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });

try {
  const database = fromPostgres(postgres(url.toString(), { max: 2, onnotice: () => {} }));
  await database.migrate();
  await database.close();
  for (const [id, n] of [
    ['big', MESSAGES],
    ['small', 1_000],
  ] as const) {
    const started = performance.now();
    await seed(id, n);
    print(`seeded ${n} messages for ${id} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  await sql`analyze`;

  const chatId = 'big-c-0';
  const [deep] = await sql<
    { seq: string }[]
  >`select seq from message where chat_id = ${chatId} order by seq limit 1 offset 25000`;
  const plans: [string, string, unknown[]][] = [
    [
      'chat.messages, first page (20)',
      `select * from message where user_id = $1 and chat_id = $2 order by seq desc nulls last limit 21`,
      ['big', chatId],
    ],
    [
      'chat.messages, a page deep in the chat',
      `select * from message where user_id = $1 and chat_id = $2 and seq < $3 order by seq desc nulls last limit 21`,
      ['big', chatId, deep?.seq],
    ],
    [
      'users.usage (rollups)',
      `select p.id, u.model, sum(u.input_tokens), sum(u.output_tokens), sum(u.messages) from usage_daily u
       left join provider p on p.id = u.provider_id and p.user_id = u.user_id
       where u.user_id = $1 group by p.id, u.model having sum(u.messages) <> 0 order by p.id, u.model`,
      ['big'],
    ],
    [
      'export: a page of chats',
      `select *, created_at::text as at from chat where user_id = $1 and (created_at, id) > ($2::timestamptz, $3)
       order by created_at, id limit 100`,
      ['big', '2000-01-01', ''],
    ],
    [
      'export: a page of 1,000 messages of a chat',
      `select * from message where chat_id = $1 and user_id = $2 and seq > $3 order by seq asc nulls first limit 1000`,
      [chatId, 'big', deep?.seq],
    ],
    [
      'deletion: one batch of 1,000 messages (rolled back)',
      `delete from message where id in (select id from message where user_id = $1 order by created_at limit 1000)`,
      ['big'],
    ],
  ];
  for (const [label, text, params] of plans) {
    const rows = await explainRolledBack(text, params);
    print(`\n== ${label}`);
    for (const row of rows as { 'QUERY PLAN': string }[]) print(row['QUERY PLAN']);
  }
} finally {
  await sql.end();
  if (process.env.EXPLAIN_KEEP) process.stdout.write(`kept database ${name}\n`);
  else await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
}

/** EXPLAIN ANALYZE runs the statement: inside a transaction that is always rolled back (the deletion's batch). */
async function explainRolledBack(text: string, params: unknown[]) {
  try {
    await sql.begin(async (tx) => {
      throw new RolledBack(await tx.unsafe(`explain (analyze, buffers, costs off) ${text}`, params as string[]));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.rows;
    throw error;
  }
  return [];
}

/** A user with `messages` messages over 20 chats (alternating question and finished reply), rollups as triggers keep them. */
async function seed(id: string, messages: number) {
  await sql`insert into "user" (id, name, email) values (${id}, ${id}, ${`${id}@explain.example`})`;
  await sql`insert into chat (id, user_id, title) select ${id} || '-c-' || g, ${id}, 'chat ' || g
    from generate_series(0, ${CHATS - 1}::int) g`;
  // Triggers off while seeding (a million upserts into a few rows is slow); the rollups are written as the
  // migration's backfill writes them.
  await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`
      insert into message (id, user_id, chat_id, role, parts, text, status, model, input_tokens, output_tokens,
        created_at, updated_at)
      select ${id} || '-m-' || g, ${id}, ${id} || '-c-' || (g % ${CHATS}::int), r.role,
        jsonb_build_array(jsonb_build_object('type', 'text', 'text', 'message ' || g)), 'message ' || g, 'complete',
        'm', case when r.role = 'assistant' then 50 end, case when r.role = 'assistant' then 120 end,
        now() - (${messages}::int - g) * interval '1 second', now()
      from generate_series(0, ${messages - 1}::int) g,
        lateral (select case when (g / ${CHATS}::int) % 2 = 0 then 'user' else 'assistant' end as role) r`;
  });
  await sql`
    insert into usage_daily (user_id, day, provider_id, model, input_tokens, output_tokens, messages)
    select user_id, (created_at at time zone 'UTC')::date, provider_id, model, sum(coalesce(input_tokens, 0)),
      sum(coalesce(output_tokens, 0)), count(*)::int
    from message where user_id = ${id} and role = 'assistant' group by 1, 2, 3, 4`;
}

function print(line: string) {
  process.stdout.write(`${line}\n`);
}

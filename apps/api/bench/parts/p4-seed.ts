// P4's data: a user with `messages` messages over `chats` chats, written straight into PostgreSQL with
// generate_series (the product's triggers run, so anything they keep, such as usage rollups, is kept). Each chat is
// a chain of user and assistant messages; an assistant message carries tokens, like a finished reply.
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
  await sql`analyze`;
  const chatIds = Array.from({ length: chats }, (_, g) => `${tag}-c-${g}`);
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from message where user_id = ${userId} and role = 'assistant'`;
  return { chatIds, assistantMessages: row?.n ?? 0 } satisfies Seeded;
}

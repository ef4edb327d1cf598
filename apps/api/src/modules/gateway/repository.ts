// The gateway's database access: the caller's providers (one prepared statement, the only read on a completion's
// path) and its usage, written after the call.
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { perDatabase } from '../../shared/db/prepared.ts';
import { provider, spendLimit } from '../../shared/db/schema/index.ts';
import type { ProviderRow } from '../providers/index.ts';

const statements = perDatabase((db) => ({
  providers: db
    .select()
    .from(provider)
    .where(eq(provider.userId, sql.placeholder('userId')))
    .orderBy(asc(provider.createdAt), asc(provider.id))
    .prepare('parley_gateway_providers'),
  limit: db
    .select({
      period: spendLimit.period,
      adminMaxTokens: spendLimit.adminMaxTokens,
      userMaxTokens: spendLimit.userMaxTokens,
    })
    .from(spendLimit)
    .where(eq(spendLimit.userId, sql.placeholder('userId')))
    .prepare('parley_gateway_spend_limit'),
}));

/** Every provider of the user, oldest first. */
export function findProviders(db: Db, userId: string): Promise<ProviderRow[]> {
  return statements(db).providers.execute({ userId });
}

/** The user's own and admin-set spend caps (the spend module's capOf reads them), if any row exists. */
export async function findSpendLimit(db: Db, userId: string) {
  const [row] = await statements(db).limit.execute({ userId });
  return row;
}

export interface UsageRow {
  userId: string;
  apiKeyId: string;
  providerId: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Adds one call to the key's daily row and to the user's daily usage (what users.usage reads and caps count), in
 * one statement. The day is the UTC day of the write, as a reply's is the UTC day it was created.
 */
export async function addUsage(db: Db, row: UsageRow): Promise<void> {
  const { userId, apiKeyId, providerId, model, inputTokens, outputTokens } = row;
  await db.execute(sql`
    with per_key as (
      insert into gateway_usage (user_id, day, api_key_id, provider_id, model, input_tokens, output_tokens, requests)
      values (${userId}, (now() at time zone 'utc')::date, ${apiKeyId}, ${providerId}, ${model}, ${inputTokens},
        ${outputTokens}, 1)
      on conflict on constraint gateway_usage_key do update set
        input_tokens = gateway_usage.input_tokens + excluded.input_tokens,
        output_tokens = gateway_usage.output_tokens + excluded.output_tokens,
        requests = gateway_usage.requests + 1
    )
    insert into usage_daily (user_id, day, provider_id, model, input_tokens, output_tokens, messages)
    values (${userId}, (now() at time zone 'utc')::date, ${providerId}, ${model}, ${inputTokens}, ${outputTokens}, 1)
    on conflict on constraint usage_daily_key do update set
      input_tokens = usage_daily.input_tokens + excluded.input_tokens,
      output_tokens = usage_daily.output_tokens + excluded.output_tokens,
      messages = usage_daily.messages + 1`);
}

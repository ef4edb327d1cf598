// The gateway's database access: the caller's providers and spend cap (one prepared statement, read side by side with
// the key's own lookup) and its usage, written after the call.
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { perDatabase } from '../../shared/db/prepared.ts';
import { apikey, provider, spendLimit } from '../../shared/db/schema/index.ts';
import type { ProviderRow } from '../providers/index.ts';

const statements = perDatabase((db) => ({
  providers: db
    .select()
    .from(provider)
    .where(eq(provider.userId, sql.placeholder('userId')))
    .orderBy(asc(provider.createdAt), asc(provider.id))
    .prepare('parley_gateway_providers'),
  /**
   * The providers and spend cap of the owner of an API key, by the key's hash: read while the key itself is checked
   * (session-lookup.ts), and used only once that check names the same user.
   */
  byKeyHash: db
    .select({
      provider,
      period: spendLimit.period,
      adminMaxTokens: spendLimit.adminMaxTokens,
      userMaxTokens: spendLimit.userMaxTokens,
    })
    .from(apikey)
    .innerJoin(provider, eq(provider.userId, apikey.referenceId))
    .leftJoin(spendLimit, eq(spendLimit.userId, apikey.referenceId))
    .where(eq(apikey.key, sql.placeholder('hash')))
    .orderBy(asc(provider.createdAt), asc(provider.id))
    .prepare('parley_gateway_by_key_hash'),
}));

/** Every provider of the user, oldest first. */
export function findProviders(db: Db, userId: string): Promise<ProviderRow[]> {
  return statements(db).providers.execute({ userId });
}

export interface Owned {
  providers: ProviderRow[];
  /** The user's own and admin-set spend caps (the spend module's capOf reads them). */
  limit: { period: 'day' | 'month' | null; adminMaxTokens: number | null; userMaxTokens: number | null } | null;
}

/** The providers (oldest first) and spend cap of the key's owner; nothing when the owner has no provider. */
export async function findOwnedByKeyHash(db: Db, hash: string): Promise<Owned> {
  const rows = await statements(db).byKeyHash.execute({ hash });
  const first = rows[0];
  return {
    providers: rows.map((row) => row.provider),
    limit: first
      ? { period: first.period, adminMaxTokens: first.adminMaxTokens, userMaxTokens: first.userMaxTokens }
      : null,
  };
}

export interface UsageRow {
  userId: string;
  apiKeyId: string;
  providerId: string | null;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
}

const perKey = (row: UsageRow) => sql`
  insert into gateway_usage (user_id, day, api_key_id, provider_id, model, input_tokens, output_tokens, requests)
  values (${row.userId}, (now() at time zone 'utc')::date, ${row.apiKeyId}, ${row.providerId}, ${row.model},
    ${row.inputTokens}, ${row.outputTokens}, 1)
  on conflict on constraint gateway_usage_key do update set
    input_tokens = gateway_usage.input_tokens + excluded.input_tokens,
    output_tokens = gateway_usage.output_tokens + excluded.output_tokens,
    requests = gateway_usage.requests + 1`;

/**
 * Adds one call to the key's daily row and (unless `daily: false`: a stored reply's row counts itself there) to the
 * user's daily usage, what users.usage reads and caps count, in one statement. The day is the UTC day of the write,
 * as a reply's is the UTC day it was created.
 */
export async function addUsage(db: Db, row: UsageRow, { daily = true } = {}): Promise<void> {
  if (!daily) {
    await db.execute(perKey(row));
    return;
  }
  const { userId, providerId, model, inputTokens, outputTokens } = row;
  await db.execute(sql`
    with per_key as (${perKey(row)})
    insert into usage_daily (user_id, day, provider_id, model, input_tokens, output_tokens, messages)
    values (${userId}, (now() at time zone 'utc')::date, ${providerId}, ${model}, ${inputTokens}, ${outputTokens}, 1)
    on conflict on constraint usage_daily_key do update set
      input_tokens = usage_daily.input_tokens + excluded.input_tokens,
      output_tokens = usage_daily.output_tokens + excluded.output_tokens,
      messages = usage_daily.messages + 1`);
}

// Spend caps: which cap a user's sends count against, the atomic reservation of a send's worst case before its
// provider is called, the settlement to the real usage when the reply ends, and the limits users and admins set.
import type { Db } from '../../shared/db/client.ts';
import { AppError } from '../../shared/lib/errors.ts';
import type { LimitRow, Period, PeriodKey } from './repository.ts';
import * as repository from './repository.ts';

/** What the configuration says (ChatLimits' spend fields). */
export interface SpendConfig {
  spendCapTokens: number | null;
  spendCapPeriod: Period;
  spendMaxOutputTokens: number;
  /** A reservation older than this whose reply is not streaming was left behind: the sweep settles it. */
  staleGenerationMs: number;
}

/** A reservation without a message row (a gateway call) is taken as left behind after this long. */
export const ORPHAN_RESERVATION_MS = 60 * 60 * 1000;

/** Settles the reservations the user's dead replies and calls left behind. */
function releaseLeftBehind(db: Db, userId: string, config: SpendConfig) {
  const now = Date.now();
  return repository.releaseStale(
    db,
    userId,
    new Date(now - config.staleGenerationMs),
    new Date(now - ORPHAN_RESERVATION_MS),
  );
}

export interface Cap {
  period: Period;
  maxTokens: number;
}

type CapFields = Pick<LimitRow, 'period' | 'adminMaxTokens' | 'userMaxTokens'>;

/** The cap a user's sends count against: the lower of the admin's (else the configured default) and their own. */
export function capOf(row: Partial<CapFields> | null | undefined, config: SpendConfig): Cap | null {
  const admin = row?.adminMaxTokens ?? config.spendCapTokens;
  const own = row?.userMaxTokens ?? null;
  const maxTokens = admin === null ? own : own === null ? admin : Math.min(admin, own);
  return maxTokens === null ? null : { period: row?.period ?? config.spendCapPeriod, maxTokens };
}

/** The start of the period holding `now`, UTC. */
export function periodStart(period: Period, now = new Date()): Date {
  return period === 'day'
    ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
    : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

export function periodEnd(period: Period, start: Date): Date {
  return period === 'day'
    ? new Date(start.getTime() + 86_400_000)
    : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/**
 * A send's worst case: its input counted high (a token is at least one byte of UTF-8 text, plus a few tokens of
 * framing per message) plus the most the reply may write. Settled to the real usage when the reply ends.
 */
export function worstCaseTokens(texts: string[], maxOutputTokens: number): number {
  return texts.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8') + 8, 0) + maxOutputTokens;
}

export interface ReserveOptions {
  userId: string;
  cap: Cap;
  tokens: number;
  /** The reply the reservation belongs to: settled by its id. */
  messageId: string;
  config: SpendConfig;
}

/**
 * Reserves `tokens` within the cap and runs `write` (the insert of the question and the reply) in the same
 * transaction: a refused send stores nothing, and a failed insert reserves nothing. QUOTA_EXCEEDED says when the
 * period resets.
 */
export async function withReservation<T>(db: Db, options: ReserveOptions, write: (tx: Db) => Promise<T>): Promise<T> {
  const { userId, cap, tokens, messageId, config } = options;
  const key: PeriodKey = { userId, period: cap.period, startsAt: periodStart(cap.period) };
  return db.transaction(async (tx) => {
    await releaseLeftBehind(tx, userId, config);
    await repository.ensurePeriod(tx, key);
    if (!(await repository.reserve(tx, key, tokens, cap.maxTokens))) {
      const row = await repository.findPeriod(tx, key);
      throw quotaExceeded(cap, key, row?.usedTokens ?? 0, row?.reservedTokens ?? 0, tokens);
    }
    const result = await write(tx);
    await repository.insertReservation(tx, key, messageId, tokens);
    return result;
  });
}

function quotaExceeded(cap: Cap, key: PeriodKey, used: number, reserved: number, asked: number): AppError {
  const resetsAt = periodEnd(cap.period, key.startsAt).toISOString();
  return new AppError(
    'QUOTA_EXCEEDED',
    `Your cap of ${cap.maxTokens} tokens a ${cap.period} would be passed (used ${used}, reserved ${reserved}, ` +
      `this send may take ${asked}); it resets at ${resetsAt}`,
  );
}

/** A reply ended: its reservation goes back and what it really used counts (nothing, when it was never stored). */
export async function settleReply(
  db: Db,
  messageId: string,
  usage: { inputTokens: number; outputTokens: number } | null | undefined,
): Promise<void> {
  await repository.settle(db, messageId, usage ? usage.inputTokens + usage.outputTokens : 0);
}

export interface Limits {
  period: Period;
  maxTokens: number | null;
  usedTokens: number;
  reservedTokens: number;
  resetsAt: Date;
}

/** The user's cap and where they stand in the current period (reservations left by dead replies are settled first). */
export async function getLimits(db: Db, userId: string, config: SpendConfig): Promise<Limits> {
  const row = await repository.findLimit(db, userId);
  const cap = capOf(row, config);
  const period = cap?.period ?? row?.period ?? config.spendCapPeriod;
  const key: PeriodKey = { userId, period, startsAt: periodStart(period) };
  await releaseLeftBehind(db, userId, config);
  const current = await repository.findPeriod(db, key);
  return {
    period,
    maxTokens: cap?.maxTokens ?? null,
    usedTokens: current ? current.usedTokens : await repository.usedSince(db, userId, key.startsAt),
    reservedTokens: current?.reservedTokens ?? 0,
    resetsAt: periodEnd(period, key.startsAt),
  };
}

export interface LimitsInput {
  period?: Period;
  /** null removes the cap (a user's own; an admin's falls back to the configured default). */
  maxTokens?: number | null;
}

/** A user's own cap: only lower than what an admin allows, in the admin's period when an admin cap applies. */
export async function setOwnLimits(db: Db, userId: string, config: SpendConfig, input: LimitsInput) {
  const row = await repository.findLimit(db, userId);
  const adminCap = row?.adminMaxTokens ?? config.spendCapTokens;
  const adminPeriod = row?.period ?? config.spendCapPeriod;
  if (adminCap !== null && input.period !== undefined && input.period !== adminPeriod) {
    throw new AppError('FORBIDDEN', `Your cap counts per ${adminPeriod}, as your admin set it`, { field: 'period' });
  }
  if (adminCap !== null && input.maxTokens != null && input.maxTokens > adminCap) {
    throw new AppError('FORBIDDEN', `An admin allows you at most ${adminCap} tokens a ${adminPeriod}`, {
      field: 'maxTokens',
    });
  }
  await repository.upsertLimit(db, userId, {
    ...(input.period !== undefined ? { period: input.period } : {}),
    ...(input.maxTokens !== undefined ? { userMaxTokens: input.maxTokens } : {}),
  });
  return getLimits(db, userId, config);
}

/** An admin's cap for a user (the user's own cap still applies when it is lower). */
export async function setAdminLimits(db: Db, userId: string, config: SpendConfig, input: LimitsInput) {
  await repository.upsertLimit(db, userId, {
    ...(input.period !== undefined ? { period: input.period } : {}),
    ...(input.maxTokens !== undefined ? { adminMaxTokens: input.maxTokens } : {}),
  });
  return getLimits(db, userId, config);
}

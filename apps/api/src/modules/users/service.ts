// The signed-in user's profile, usage, export and deletion; and the admin's view of all users.
import type { Db } from '../../shared/db/client.ts';
import { AppError } from '../../shared/lib/errors.ts';
import { cursorKind, fetchSize, TimeIdValue, toPage } from '../../shared/lib/paging.ts';
import { exportChats } from '../chat/index.ts';
import { getPreferences } from '../preferences/index.ts';
import { listProviders } from '../providers/index.ts';
import type { GenerationEngine } from '../replies/index.ts';
import { type AccountDeletionDeps, markAccountDeleted, purgeAccountInBackground } from './deletion.ts';
import * as repository from './repository.ts';
import type { UpdateProfileInput } from './schema.ts';

export interface UserScope {
  db: Db;
  userId: string;
}

export function toUser(row: repository.UserRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    image: row.image,
    role: row.role,
    createdAt: row.createdAt,
  };
}

async function findOwnUser(db: Db, userId: string) {
  const row = await repository.findUser(db, userId);
  if (!row) throw new AppError('UNAUTHORIZED');
  return row;
}

/** The caller's profile, as read with their session on this very request, and their preferences. */
export async function getMe({ db, user }: { db: Db; user: ReturnType<typeof toUser> }) {
  return { ...user, preferences: await getPreferences({ db, userId: user.id }) };
}

export async function updateProfile({ db, userId, input }: UserScope & { input: UpdateProfileInput }) {
  const row = await repository.updateUser(db, userId, input);
  if (!row) throw new AppError('UNAUTHORIZED');
  return toUser(row);
}

interface Counts {
  inputTokens: number;
  outputTokens: number;
  messages: number;
}
type Priced<T> = T & { cost: number | null };

/**
 * Usage from the per-day rollups: `from` and `to` count whole UTC days (the days that hold them, both included). Cost
 * comes from the prices the user set on their providers (per million tokens, their currency): null where a model has
 * no price; a total counts the priced rows and is null when none is priced. `groupBy: 'day'` adds `byDay`.
 */
export async function getUsage({
  db,
  userId,
  from,
  to,
  groupBy = 'model',
}: UserScope & { from?: Date; to?: Date; groupBy?: 'model' | 'day' }) {
  const [fromDay, toDay] = [from && utcDay(from), to && utcDay(to)];
  const [providers, rows] = await Promise.all([
    listProviders({ db, userId }),
    groupBy === 'day'
      ? repository.usageByDayAndModel(db, userId, fromDay, toDay)
      : repository.usageByModel(db, userId, fromDay, toDay),
  ]);
  const prices = new Map(providers.flatMap((p) => p.prices.map((price) => [`${p.id} ${price.model}`, price] as const)));
  const costOf = (row: { providerId: string | null; model: string | null } & Counts) => {
    const price = prices.get(`${row.providerId} ${row.model}`);
    return price ? (row.inputTokens * price.inputPerMTok + row.outputTokens * price.outputPerMTok) / 1_000_000 : null;
  };
  const priced = rows.map((row) => ({ ...row, cost: costOf(row) }));
  const byModel = sumBy(
    priced,
    (row) => `${row.providerId} ${row.model}`,
    (row) => ({
      providerId: row.providerId,
      model: row.model,
    }),
  );
  byModel.sort((a, b) => compare(a.providerId, b.providerId) || compare(a.model, b.model));
  const totals = sumBy(
    priced,
    () => '',
    () => ({}),
  )[0] ?? { inputTokens: 0, outputTokens: 0, messages: 0, cost: null };
  if (groupBy !== 'day') return { totals, byModel };
  const byDay = sumBy(
    priced as unknown as Priced<Counts & { day: string }>[],
    (row) => row.day,
    (row) => ({ day: row.day }),
  );
  return { totals, byModel, byDay };
}

/** Text order by code points (nulls last), the same whatever the database's collation. */
const compare = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;

/** Rows summed per key, in the order keys first appear; cost is null unless some row of the group had one. */
function sumBy<R extends Priced<Counts>, K extends object>(rows: R[], key: (row: R) => string, head: (row: R) => K) {
  const groups = new Map<string, Priced<Counts> & K>();
  for (const row of rows) {
    const k = key(row);
    const sum = groups.get(k) ?? { ...head(row), inputTokens: 0, outputTokens: 0, messages: 0, cost: null };
    sum.inputTokens += row.inputTokens;
    sum.outputTokens += row.outputTokens;
    sum.messages += row.messages;
    if (row.cost !== null) sum.cost = (sum.cost ?? 0) + row.cost;
    groups.set(k, sum);
  }
  return [...groups.values()];
}

/** YYYY-MM-DD in UTC, kept inside the years PostgreSQL's date takes as plain digits. */
function utcDay(date: Date): string {
  const year = date.getUTCFullYear();
  if (year < 1) return '0001-01-01';
  if (year > 9999) return '9999-12-31';
  return date.toISOString().slice(0, 10);
}

/** users.exportData builds the whole account in memory: beyond this many messages, GET /api/export streams it. */
export const EXPORT_DATA_MAX_MESSAGES = 10_000;

/** Everything the user owns, and nothing secret: providers come without keys, no hashes or tokens at all. */
export async function exportData({ db, userId }: UserScope) {
  const count = await repository.countMessagesUpTo(db, userId, EXPORT_DATA_MAX_MESSAGES + 1);
  if (count > EXPORT_DATA_MAX_MESSAGES) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `This account has more than ${EXPORT_DATA_MAX_MESSAGES} messages: download the export from GET /api/export, which streams it`,
    );
  }
  const [header, chats] = await Promise.all([exportHeader({ db, userId }), exportChats({ db, userId })]);
  return { ...header, chats };
}

/** The export's user, preferences and providers: everything but the chats. */
export async function exportHeader({ db, userId }: UserScope) {
  const [row, preferences, providers] = await Promise.all([
    findOwnUser(db, userId),
    getPreferences({ db, userId }),
    listProviders({ db, userId }),
  ]);
  return { user: toUser(row), preferences, providers };
}

export interface DeleteAccountOptions extends UserScope {
  confirmEmail: string;
  engine: GenerationEngine;
  log: AccountDeletionDeps['log'];
}

/**
 * Stops the user's replies, then in one transaction ends every session, API key and credential and frees the
 * email; the rows themselves are deleted in the background (deletion.ts), so this answers at once at any size.
 */
export async function deleteAccount({ db, userId, confirmEmail, engine, log }: DeleteAccountOptions) {
  const row = await findOwnUser(db, userId);
  if (row.email.toLowerCase() !== confirmEmail.trim().toLowerCase()) {
    throw new AppError('VALIDATION_FAILED', 'confirmEmail does not match the email of this account', {
      field: 'confirmEmail',
    });
  }
  await engine.stopForUser(userId);
  await markAccountDeleted(db, userId, row.email);
  purgeAccountInBackground({ db, log }, userId);
  return { deleted: true as const };
}

/** users.list pages over (createdAt, id), newest first. */
export const UsersCursor = cursorKind('users', TimeIdValue);

export async function listUsers({
  db,
  cursor,
  limit,
  search,
}: {
  db: Db;
  cursor?: string;
  limit: number;
  search?: string;
}) {
  const after = UsersCursor.decode(cursor);
  const rows = await repository.findUsers(db, {
    limit: fetchSize(limit),
    after: after ? { createdAt: new Date(after.t), id: after.id } : undefined,
    search: search || undefined,
  });
  const page = toPage(rows, limit, (last) => UsersCursor.encode({ t: last.createdAt.toISOString(), id: last.id }));
  return { ...page, items: page.items.map(toUser) };
}

/** Changes a user's role; the last admin cannot be demoted (checked under a lock on the admins' rows). */
export async function setRole({ db, userId, role }: { db: Db; userId: string; role: 'user' | 'admin' }) {
  return db.transaction(async (tx) => {
    const admins = await repository.lockAdmins(tx);
    if (role === 'user' && admins.length === 1 && admins[0] === userId) {
      throw new AppError('LAST_ADMIN');
    }
    const row = await repository.updateUser(tx, userId, { role });
    if (!row) throw new AppError('USER_NOT_FOUND');
    return toUser(row);
  });
}

/** Makes the users with these emails admins (ADMIN_EMAILS at start, or the promote command). */
export function promoteAdmins({ db, emails }: { db: Db; emails: string[] }): Promise<number> {
  return repository.promoteByEmail(
    db,
    emails.map((e) => e.toLowerCase()),
  );
}

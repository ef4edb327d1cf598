// The signed-in user's profile, usage, export and deletion; and the admin's view of all users.
import type { Db } from '../../shared/db/client.ts';
import { decodeCursor, encodeCursor, isTimeIdCursor } from '../../shared/lib/cursor.ts';
import { AppError } from '../../shared/lib/errors.ts';
import { exportChats, type GenerationEngine } from '../chat/index.ts';
import { getPreferences } from '../preferences/index.ts';
import { listProviders } from '../providers/index.ts';
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

export async function getMe({ db, userId }: UserScope) {
  const [row, preferences] = await Promise.all([findOwnUser(db, userId), getPreferences({ db, userId })]);
  return { ...toUser(row), preferences };
}

export async function updateProfile({ db, userId, input }: UserScope & { input: UpdateProfileInput }) {
  const row = await repository.updateUser(db, userId, input);
  if (!row) throw new AppError('UNAUTHORIZED');
  return toUser(row);
}

export async function getUsage({ db, userId, from, to }: UserScope & { from?: Date; to?: Date }) {
  const byModel = await repository.usageByModel(db, userId, from, to);
  const totals = byModel.reduce(
    (sum, row) => ({
      inputTokens: sum.inputTokens + row.inputTokens,
      outputTokens: sum.outputTokens + row.outputTokens,
      messages: sum.messages + row.messages,
    }),
    { inputTokens: 0, outputTokens: 0, messages: 0 },
  );
  return { totals, byModel };
}

/** Everything the user owns, and nothing secret: providers come without keys, no hashes or tokens at all. */
export async function exportData({ db, userId }: UserScope) {
  const [row, preferences, providers, chats] = await Promise.all([
    findOwnUser(db, userId),
    getPreferences({ db, userId }),
    listProviders({ db, userId }),
    exportChats({ db, userId }),
  ]);
  return { user: toUser(row), preferences, providers, chats };
}

export interface DeleteAccountOptions extends UserScope {
  confirmEmail: string;
  engine: GenerationEngine;
}

/** Stops the user's replies, then removes every row the user owns in one transaction (foreign-key cascades). */
export async function deleteAccount({ db, userId, confirmEmail, engine }: DeleteAccountOptions) {
  const row = await findOwnUser(db, userId);
  if (row.email.toLowerCase() !== confirmEmail.trim().toLowerCase()) {
    throw new AppError('VALIDATION_FAILED', 'confirmEmail does not match the email of this account', {
      field: 'confirmEmail',
    });
  }
  await engine.stopForUser(userId);
  await db.transaction(async (tx) => {
    await repository.deleteUser(tx, userId, row.email);
  });
  return { deleted: true as const };
}

const fromCursor = ({ t, id }: { t: string; id: string }) => ({ createdAt: new Date(t), id });

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
  const rows = await repository.findUsers(db, {
    limit: limit + 1,
    after: cursor ? fromCursor(decodeCursor(cursor, isTimeIdCursor)) : undefined,
    search: search || undefined,
  });
  const items = rows.slice(0, limit).map(toUser);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.createdAt.toISOString(), id: last.id }) : null,
  };
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

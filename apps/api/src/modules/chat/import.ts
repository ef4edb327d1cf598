// Importing conversations (POST /api/import): each one is stored whole or not at all (one transaction), under new
// ids with the same tree; a conversation imported before (the same chat.import_key) is skipped, so importing a file
// twice adds nothing. Imported replies carry origin 'import': the usage rollups (and spend caps) leave them out.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../shared/db/client.ts';
import { chat, message } from '../../shared/db/schema/index.ts';
import { listProviders } from '../providers/index.ts';
import { ConversationError, fromChatgpt, fromParley, type ImportedChat } from './import-formats.ts';
import { ImportFormatError, ImportTooLargeError, jsonArrayItems } from './import-json.ts';

export type ImportFormat = 'chatgpt' | 'parley';

export interface ImportReport {
  /** Conversations stored as new chats. */
  chats: number;
  messages: number;
  /** Conversations already imported before (skipped whole). */
  skipped: number;
  /** Conversations that could not be imported (nothing of them was stored), and why. */
  errors: { conversation: string; reason: string }[];
  /** What was left out of the imported conversations, or changed, and how often. */
  notes: { reason: string; count: number }[];
}

export interface ImportOptions {
  db: Db;
  userId: string;
  format: ImportFormat;
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;
  maxBytes: number;
  maxConversationChars: number;
}

/** Rows a statement inserts at most (PostgreSQL allows 65,535 parameters; a message takes 17). */
const BATCH = 1_000;

/**
 * Reads the file as it arrives and stores each conversation as soon as it is complete. A malformed or oversized file
 * stops the import where it is found: what was stored before stays (the error says so, with the report so far).
 */
export async function importConversations(options: ImportOptions): Promise<ImportReport> {
  const { db, userId, format } = options;
  const report: ImportReport = { chats: 0, messages: 0, skipped: 0, errors: [], notes: [] };
  const notes = new Map<string, number>();
  const ownProviders = new Set((await listProviders({ db, userId })).map((p) => p.id));
  const items = jsonArrayItems(options.body, {
    key: format === 'parley' ? 'chats' : null,
    maxBytes: options.maxBytes,
    maxItemChars: options.maxConversationChars,
  });
  let index = 0;
  try {
    for await (const item of items) {
      index += 1;
      await importOne({ db, userId, format, ownProviders, report, notes }, item, index);
    }
  } catch (error) {
    if (error instanceof ImportFormatError || error instanceof ImportTooLargeError) {
      throw new ImportStopped(error, finish(report, notes));
    }
    throw error;
  }
  return finish(report, notes);
}

interface Importing {
  db: Db;
  userId: string;
  format: ImportFormat;
  ownProviders: Set<string>;
  report: ImportReport;
  notes: Map<string, number>;
}

/** One conversation: converted, then stored whole; a conversation that cannot be is reported, not fatal. */
async function importOne({ db, userId, format, ownProviders, report, notes }: Importing, item: unknown, index: number) {
  let imported: ImportedChat;
  try {
    imported = format === 'parley' ? fromParley(item, ownProviders) : fromChatgpt(item);
  } catch (error) {
    if (!(error instanceof ConversationError)) throw error;
    report.errors.push({ conversation: nameOf(item, index), reason: error.message });
    return;
  }
  const stored = await storeChat(db, userId, imported).catch((error: unknown) => {
    // Data the database refuses (SQLSTATE class 22: a value out of range, …) fails this conversation only.
    if (!isDataError(error)) throw error;
    report.errors.push({ conversation: imported.name, reason: 'the database refused its data' });
    return undefined;
  });
  if (stored === undefined) return;
  if (stored === null) {
    report.skipped += 1;
    return;
  }
  report.chats += 1;
  report.messages += stored;
  for (const [reason, n] of imported.notes) notes.set(reason, (notes.get(reason) ?? 0) + n);
}

/** The file could not be read to its end; `report` holds what was imported before. */
export class ImportStopped extends Error {
  override name = 'ImportStopped';
  readonly tooLarge: boolean;
  readonly report: ImportReport;
  constructor(cause: ImportFormatError | ImportTooLargeError, report: ImportReport) {
    super(cause.message, { cause });
    this.tooLarge = cause instanceof ImportTooLargeError;
    this.report = report;
  }
}

function finish(report: ImportReport, notes: Map<string, number>): ImportReport {
  report.notes = [...notes].map(([reason, count]) => ({ reason, count }));
  return report;
}

function isDataError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('22')) return true;
  }
  return false;
}

function nameOf(item: unknown, index: number): string {
  const named = item as { title?: unknown; id?: unknown; conversation_id?: unknown } | null;
  for (const v of [named?.title, named?.conversation_id, named?.id])
    if (typeof v === 'string' && v) return v.slice(0, 200);
  return `#${index}`;
}

/** Stores one conversation in one transaction; null when it was imported before. Returns the messages stored. */
async function storeChat(db: Db, userId: string, imported: ImportedChat): Promise<number | null> {
  const ids = new Map(imported.messages.map((m) => [m.ref, randomUUID()]));
  const chatId = randomUUID();
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(chat)
      .values({
        id: chatId,
        userId,
        title: imported.title,
        providerId: imported.providerId,
        model: imported.model,
        systemPrompt: imported.systemPrompt,
        currentLeafId: imported.leafRef ? (ids.get(imported.leafRef) ?? null) : null,
        importKey: imported.key,
        createdAt: imported.createdAt,
        updatedAt: imported.updatedAt,
      })
      .onConflictDoNothing({ target: [chat.userId, chat.importKey] })
      .returning({ id: chat.id });
    if (inserted.length === 0) return null;
    for (let i = 0; i < imported.messages.length; i += BATCH) {
      // In file order, parents first: seq then follows the tree, as it does for messages sent here.
      await tx.insert(message).values(
        imported.messages.slice(i, i + BATCH).map((m) => ({
          id: ids.get(m.ref) as string,
          userId,
          chatId,
          parentId: m.parentRef ? (ids.get(m.parentRef) ?? null) : null,
          role: m.role,
          parts: m.parts,
          text: m.text,
          status: m.status,
          error: m.error,
          providerId: m.providerId,
          model: m.model,
          inputTokens: m.inputTokens,
          outputTokens: m.outputTokens,
          finishReason: m.finishReason,
          origin: 'import' as const,
          createdAt: m.createdAt,
          updatedAt: m.updatedAt,
        })),
      );
    }
    return imported.messages.length;
  });
}

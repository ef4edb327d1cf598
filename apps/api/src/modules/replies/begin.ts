// The one place a reply begins (chat.send, chat.sendAndStream, chat.regenerate, and the gateway to come): bounds and
// limits, the provider and history read in one round trip, the provider call started at once, and the question and
// reply stored while the provider is still thinking.
import { randomUUID } from 'node:crypto';
import type { LanguageModel, ModelMessage } from 'ai';
import type { Db } from '../../shared/db/client.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../../shared/db/errors.ts';
import { AppError } from '../../shared/lib/errors.ts';
import type { Keyring } from '../../shared/lib/keyring.ts';
import { type OpenedModel, type Outbound, openModelOf, type ProviderRow } from '../providers/index.ts';
import { capOf, type Period, settleReply, withReservation, worstCaseTokens } from '../spend/index.ts';
import { historyRows, toModelMessages } from './history.ts';
import { toMessage } from './messages.ts';
import * as repository from './repository.ts';
import type { Replies } from './runtime.ts';
import type { Message } from './schema.ts';

export interface ReplyDeps {
  db: Db;
  userId: string;
  keyring: Keyring;
  outbound: Outbound;
  replies: Replies;
}

export interface SendReplyInput {
  chatId: string;
  text: string;
  clientRequestId?: string;
  providerId?: string;
  model?: string;
  /**
   * The new question's parent: a message of the chat (sending under an earlier message is "edit and resend", a new
   * branch), null for a new root, absent for the chat's current leaf.
   */
  parentId?: string | null;
}

/** Called once a chat's reply completes, when the chat has no title yet (the chat module names it). */
export type NameChat = (args: { chatId: string; question: string; model: LanguageModel }) => Promise<void>;

export interface SendReplyOptions extends ReplyDeps {
  input: SendReplyInput;
  nameChat?: NameChat;
}

export interface Sent {
  userMessage: Message;
  assistantMessage: Message;
}

/** Stores the question and a streaming reply and starts the reply; the same clientRequestId twice is one reply. */
export async function beginSend(options: SendReplyOptions): Promise<Sent> {
  const { db, userId, input, replies } = options;
  const { limits, statements } = replies;
  if (input.text.length > limits.maxMessageChars) {
    throw new AppError('MESSAGE_TOO_LONG', `text is longer than ${limits.maxMessageChars} characters`, {
      field: 'text',
    });
  }
  const { context, path, earlier } = await readSendStart(options);
  if (earlier) return (await findSent(db, earlier)) ?? raise('CHAT_NOT_FOUND');
  if (!context) throw new AppError('CHAT_NOT_FOUND');
  checkParent(input, path);
  const { chat } = context;
  const opened = openChosenModel(options, context, input);

  const now = new Date();
  const base = { userId, chatId: chat.id, providerId: opened.providerId, model: opened.modelId };
  const parentId = path[0]?.id ?? null;
  const question = { ...base, id: randomUUID(), parentId, role: 'user' as const, status: 'complete' as const };
  const rows: repository.NewMessageRow[] = [
    {
      ...question,
      parts: [{ type: 'text', text: input.text }],
      text: input.text,
      clientRequestId: input.clientRequestId ?? null,
      createdAt: now,
      updatedAt: now,
    },
    { ...base, id: randomUUID(), parentId: question.id, role: 'assistant', status: 'streaming', createdAt: now },
  ];
  // The model reads only the path to the new question: the other branches of the tree are not its conversation.
  const history = toModelMessages([{ ...question, text: input.text }, ...path], limits.historyWindow);
  // The limit is taken after an earlier send was answered (a resend is not a new reply), atomically where it is
  // counted (generation-slots.ts), and before the insert: a refused send stores nothing. The engine gives it back.
  const stored = storeAndStart(options, context, {
    opened,
    rows,
    history,
    system: chat.systemPrompt ?? context.systemPrompt ?? undefined,
    nameChat: chat.title ? undefined : options.nameChat,
    question: input.text,
  });
  const outcome = await stored;
  if (outcome === 'duplicate' && input.clientRequestId) {
    // The same request sent twice at once: the first one won (this one's provider call was cancelled at once).
    const first = await statements.sent.execute({ userId, clientRequestId: input.clientRequestId });
    if (first[0]) return (await findSent(db, first[0])) ?? raise('CHAT_NOT_FOUND');
  }
  if (outcome === 'provider-gone') throw new AppError('PROVIDER_NOT_FOUND');
  if (outcome !== 'stored') throw new AppError('CHAT_NOT_FOUND');
  const [userMessage, assistantMessage] = rows.map((row) => toMessage(asRow(row)));
  return { userMessage: userMessage as Message, assistantMessage: assistantMessage as Message };
}

/** A parent that was named must be a message of the chat (the path to it is then never empty). */
function checkParent(input: SendReplyInput, path: unknown[]) {
  if (input.parentId && path.length === 0) {
    throw new AppError('MESSAGE_NOT_FOUND', 'parentId is not a message of this chat', { field: 'parentId' });
  }
}

/**
 * What a send needs before it starts, in one round trip (side by side on the pool): the chat with its provider and
 * the user's preferences, the path the question is asked after, and an earlier send with the same clientRequestId.
 */
async function readSendStart({ db, userId, input, replies }: SendReplyOptions) {
  const { limits, statements } = replies;
  const [[context], path, [earlier]] = await Promise.all([
    statements.context.execute({ chatId: input.chatId, userId, providerId: input.providerId ?? null }),
    input.parentId === null
      ? Promise.resolve([])
      : repository.findPath(db, {
          userId,
          chatId: input.chatId,
          parentId: input.parentId,
          limit: historyRows(limits.historyWindow),
        }),
    input.clientRequestId
      ? statements.sent.execute({ userId, clientRequestId: input.clientRequestId })
      : Promise.resolve([]),
  ]);
  return { context, path, earlier };
}

export interface RegenerateOptions extends ReplyDeps {
  messageId: string;
}

/**
 * A new reply to the question of `messageId` (a reply or the question itself), beside the earlier replies; the chat's
 * current leaf moves to it.
 */
export async function beginRegenerate(options: RegenerateOptions): Promise<{ assistantMessage: Message }> {
  const { db, userId, messageId, replies } = options;
  const { limits, statements } = replies;
  const target = await repository.findMessage(db, userId, messageId);
  if (!target) throw new AppError('MESSAGE_NOT_FOUND');
  const questionId = target.role === 'user' ? target.id : target.parentId;
  const question = questionId ? await repository.findMessage(db, userId, questionId) : undefined;
  if (!question) throw new AppError('MESSAGE_NOT_FOUND');
  const [[context], rows] = await Promise.all([
    statements.context.execute({ chatId: question.chatId, userId, providerId: target.providerId }),
    repository.findPath(db, {
      userId,
      chatId: question.chatId,
      parentId: question.id,
      limit: historyRows(limits.historyWindow),
    }),
  ]);
  if (!context) throw new AppError('CHAT_NOT_FOUND');
  const opened = openChosenModel(options, context, { providerId: target.providerId ?? undefined, model: target.model });
  const now = new Date();
  const reply: repository.NewMessageRow = {
    id: randomUUID(),
    userId,
    chatId: question.chatId,
    parentId: question.id,
    role: 'assistant',
    status: 'streaming',
    providerId: opened.providerId,
    model: opened.modelId,
    createdAt: now,
    updatedAt: now,
  };
  const stored = storeAndStart(options, context, {
    opened,
    rows: [reply],
    history: toModelMessages(rows, limits.historyWindow),
    system: context.chat.systemPrompt ?? context.systemPrompt ?? undefined,
  });
  const outcome = await stored;
  if (outcome === 'provider-gone') throw new AppError('PROVIDER_NOT_FOUND');
  if (outcome !== 'stored') throw new AppError('CHAT_NOT_FOUND');
  return { assistantMessage: toMessage(asRow(reply)) };
}

type Context = {
  chat: repository.ChatRow;
  provider: ProviderRow | null;
  defaultProviderId: string | null;
  defaultModel: string | null;
  capPeriod: Period | null;
  capAdminMaxTokens: number | null;
  capUserMaxTokens: number | null;
};

/**
 * The provider is the first that is named: by the call, then by the chat, then the user's default, else the user's
 * oldest provider; the model is the call's, else the chat's (unless the call names another provider), else the default
 * model (for the default provider), else the provider's default model. A chat whose provider was deleted goes on with
 * the user's default.
 */
function openChosenModel(
  { keyring, outbound }: ReplyDeps,
  { chat, provider, defaultProviderId, defaultModel }: Context,
  input: { providerId?: string; model?: string | null },
): OpenedModel {
  const named = input.providerId ?? chat.providerId ?? defaultProviderId ?? provider?.id;
  if (!named) throw new AppError('NO_PROVIDER');
  if (!provider) throw new AppError('PROVIDER_NOT_FOUND');
  const model =
    input.model ??
    (input.providerId ? null : (chat.model ?? (provider.id === defaultProviderId ? defaultModel : null)));
  return openModelOf({ row: provider, model, keyring, outbound });
}

/** `provider-gone`: the provider the rows name was deleted between the read and the insert. */
type StoreOutcome = 'stored' | 'missing' | 'duplicate' | 'provider-gone';

/** The insert, run while the provider is already called; the engine hears its outcome and drops an unstored reply. */
function storeRows(db: Db, userId: string, chatId: string, rows: repository.NewMessageRow[]): Promise<StoreOutcome> {
  return repository.insertMessages(db, userId, chatId, rows).then(
    (count): StoreOutcome => (count === rows.length ? 'stored' : 'missing'),
    (error: unknown): StoreOutcome => {
      if (isUniqueViolation(error)) return 'duplicate';
      if (isForeignKeyViolation(error)) return 'provider-gone';
      if (isForeignKeyViolation(error)) return 'provider-gone';
      throw error;
    },
  );
}

interface Storing {
  opened: OpenedModel;
  /** The question and its reply, or the reply alone (the last row is always the reply). */
  rows: repository.NewMessageRow[];
  history: ModelMessage[];
  system: string | undefined;
  nameChat?: NameChat;
  question?: string;
}

/** The rows could not be stored: the chat is gone or is not the user's. */
class ChatMissing extends Error {}

/**
 * Takes the user's reply slot, stores the rows and starts the reply. Without a spend cap the provider is called at
 * once and the insert runs while it thinks. With one, the send's worst case is reserved in the transaction that
 * stores the rows, before the provider is called (a refusal is QUOTA_EXCEEDED and stores nothing), the reply may
 * write at most SPEND_MAX_OUTPUT_TOKENS, and the reservation is settled to the real usage when the reply ends.
 */
async function storeAndStart(deps: ReplyDeps, context: Context, storing: Storing): Promise<StoreOutcome> {
  const { db, userId, replies } = deps;
  const { limits } = replies;
  const { rows } = storing;
  const chatId = context.chat.id;
  const messageId = rows.at(-1)?.id as string;
  await replies.generations.acquire(userId, messageId);
  const cap = capOf(
    { period: context.capPeriod, adminMaxTokens: context.capAdminMaxTokens, userMaxTokens: context.capUserMaxTokens },
    limits,
  );
  if (!cap) {
    const stored = storeRows(db, userId, chatId, rows);
    start(deps, { ...storing, messageId, chatId, stored });
    return stored;
  }
  const texts = [...(storing.system ? [storing.system] : []), ...storing.history.map((m) => contentText(m.content))];
  const tokens = worstCaseTokens(texts, limits.spendMaxOutputTokens);
  try {
    await withReservation(db, { userId, cap, tokens, messageId, config: limits }, async (tx) => {
      if ((await repository.insertMessages(tx, userId, chatId, rows)) !== rows.length) throw new ChatMissing();
    });
  } catch (error) {
    await replies.generations.release(userId, messageId);
    if (error instanceof ChatMissing) return 'missing';
    if (isUniqueViolation(error)) return 'duplicate';
    if (isForeignKeyViolation(error)) return 'provider-gone';
    throw error;
  }
  const opened = { ...storing.opened, model: boundOutput(storing.opened.model, limits.spendMaxOutputTokens) };
  start(deps, {
    ...storing,
    opened,
    messageId,
    chatId,
    stored: Promise.resolve('stored'),
    onSettled: (message) => settleReply(db, messageId, message?.usage),
  });
  return 'stored';
}

const contentText = (content: ModelMessage['content']) =>
  typeof content === 'string' ? content : JSON.stringify(content);

/** The model, told to write at most `max` tokens (the output half of a capped send's reservation). */
function boundOutput(model: LanguageModel, max: number): LanguageModel {
  if (typeof model === 'string') return model;
  type Call = (options: { maxOutputTokens?: number }) => unknown;
  const doStream = (model as unknown as { doStream: Call }).doStream;
  // The model itself underneath (its id, provider, generate): only the stream call changes.
  const bounded = Object.create(model) as { doStream: Call };
  bounded.doStream = (options) =>
    doStream.call(model, { ...options, maxOutputTokens: Math.min(options.maxOutputTokens ?? max, max) });
  return bounded as unknown as LanguageModel;
}

interface Starting extends Storing {
  messageId: string;
  chatId: string;
  stored: Promise<StoreOutcome>;
  onSettled?: (message: Message | undefined) => Promise<void>;
}

function start({ userId, replies }: ReplyDeps, starting: Starting) {
  const { opened, messageId, chatId, history, stored, nameChat, question } = starting;
  replies.engine.start({
    messageId,
    userId,
    chatId,
    model: opened.model,
    system: starting.system,
    messages: history,
    stored: stored.then((outcome) => outcome === 'stored'),
    describeError: opened.describeError,
    // Never delays the reply: runs after its final event, and a failure only costs the nicer title.
    onComplete: nameChat && question ? () => nameChat({ chatId, question, model: opened.model }) : undefined,
    onSettled: starting.onSettled,
  });
}

async function findSent(db: Db, userRow: repository.MessageRow): Promise<Sent | undefined> {
  const reply = await repository.findFirstReply(db, userRow);
  if (!reply) return undefined;
  return { userMessage: toMessage(userRow), assistantMessage: toMessage(reply) };
}

/** A row as stored, for a message this process has just inserted (no read-back). */
function asRow(row: repository.NewMessageRow): repository.MessageRow {
  const now = row.createdAt ?? new Date();
  return {
    seq: 0,
    parentId: null,
    parts: [],
    text: '',
    error: null,
    providerId: null,
    model: null,
    inputTokens: null,
    outputTokens: null,
    finishReason: null,
    clientRequestId: null,
    updatedAt: now,
    ...row,
    createdAt: now,
  } as repository.MessageRow;
}

function raise(code: 'CHAT_NOT_FOUND'): never {
  throw new AppError(code);
}

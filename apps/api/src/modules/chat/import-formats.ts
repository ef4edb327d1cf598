// What an imported conversation becomes before it is stored: ChatGPT's conversations.json (each conversation's
// `mapping` tree of nodes, `current_node` the leaf shown) and Parley's own export (chats with their messages).
import type { StoredPart } from '../../shared/db/schema/index.ts';

export interface ImportedMessage {
  /** The message's id in the file; parents refer to it. */
  ref: string;
  parentRef: string | null;
  role: 'user' | 'assistant';
  text: string;
  parts: StoredPart[];
  status: 'complete' | 'stopped' | 'error';
  error: string | null;
  providerId: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  finishReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ImportedChat {
  /** Unique per source conversation: importing it again finds it (chat.import_key). */
  key: string;
  /** How the conversation is named in the report. */
  name: string;
  title: string | null;
  systemPrompt: string | null;
  providerId: string | null;
  model: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Parents before their children. */
  messages: ImportedMessage[];
  leafRef: string | null;
  /** What was left out or changed, and how often. */
  notes: Map<string, number>;
}

export class ConversationError extends Error {
  override name = 'ConversationError';
}

/** Text PostgreSQL stores: no NUL (U+FFFD instead), no lone surrogate. */
const clean = (text: string) => (text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text).toWellFormed();

/** Parts as jsonb stores them (jsonb refuses \u0000 too). */
function cleanParts(parts: StoredPart[]): StoredPart[] {
  const json = JSON.stringify(parts);
  return json.includes('\\u0000') ? (JSON.parse(json.replaceAll('\\u0000', '\\ufffd')) as StoredPart[]) : parts;
}

const note = (notes: Map<string, number>, reason: string, n = 1) => notes.set(reason, (notes.get(reason) ?? 0) + n);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Seconds since the epoch (ChatGPT's times) as a Date in PostgreSQL's range, else `fallback`. */
function fromSeconds(value: unknown, fallback: Date): Date {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  const date = new Date(Math.round(value * 1000));
  return date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999 ? date : fallback;
}

/** A ChatGPT message's content as text: text parts kept, other parts as a short note (and counted). */
function chatgptText(content: unknown, notes: Map<string, number>): string | null {
  if (!isObject(content)) return null;
  const type = str(content.content_type);
  if (type === 'text' || type === 'multimodal_text') {
    const parts = Array.isArray(content.parts) ? content.parts : [];
    const texts = parts.map((part) => {
      if (typeof part === 'string') return part;
      const kind = isObject(part) ? (str(part.content_type) ?? 'attachment') : 'attachment';
      note(notes, `non-text parts kept as a note (${kind})`);
      return `[${kind.replace(/_/g, ' ')} not imported]`;
    });
    return clean(texts.filter((t) => t !== '').join('\n\n'));
  }
  if (type === 'code') return clean(str(content.text) ?? '');
  return null;
}

/** Why a ChatGPT message is left out, or null when it is kept (system messages are handled before). */
function skipReason(role: string | null, text: string | null, content: unknown): string | null {
  if (role !== 'user' && role !== 'assistant') return `${role ?? 'unknown'} messages skipped`;
  if (text === null) return `messages of type ${str(isObject(content) ? content.content_type : null)} skipped`;
  return text === '' ? 'empty messages skipped' : null;
}

interface ChatgptContext {
  fallbackTime: Date;
  notes: Map<string, number>;
  system: { prompt: string | null };
}

/** A ChatGPT message as ours, or null when it is left out (counted in `notes`; a system message sets the prompt). */
function chatgptMessage(ref: string, message: Record<string, unknown>, ctx: ChatgptContext): ImportedMessage | null {
  const role = str(isObject(message.author) ? message.author.role : null);
  const text = chatgptText(message.content, ctx.notes);
  if (role === 'system') {
    if (text && ctx.system.prompt === null) ctx.system.prompt = text;
    else if (text) note(ctx.notes, 'further system messages skipped');
    return null;
  }
  const skipped = skipReason(role, text, message.content);
  if (skipped) {
    note(ctx.notes, skipped);
    return null;
  }
  const at = fromSeconds(message.create_time, ctx.fallbackTime);
  const metadata = isObject(message.metadata) ? message.metadata : {};
  return {
    ...BLANK,
    ref,
    role: role as 'user' | 'assistant',
    text: text as string,
    parts: [{ type: 'text', text: text as string }],
    model: role === 'assistant' ? str(metadata.model_slug) : null,
    createdAt: at,
    updatedAt: fromSeconds(message.update_time, at),
  };
}

/** What an imported message has unless its source says otherwise. */
const BLANK = {
  parentRef: null,
  status: 'complete' as const,
  error: null,
  providerId: null,
  inputTokens: null,
  outputTokens: null,
  finishReason: null,
};

interface ChatgptNode {
  id: string;
  parent: string | null;
  message: Record<string, unknown> | null;
}

function readNodes(mapping: Record<string, unknown>): Map<string, ChatgptNode> {
  const nodes = new Map<string, ChatgptNode>();
  for (const [key, raw] of Object.entries(mapping)) {
    if (isObject(raw))
      nodes.set(key, { id: key, parent: str(raw.parent), message: isObject(raw.message) ? raw.message : null });
  }
  return nodes;
}

/** The nearest kept message at or above `start` (the nodes left out hand their children up). */
function keptAncestor(nodes: Map<string, ChatgptNode>, kept: Map<string, unknown>, start: string | null) {
  const seen = new Set<string>();
  for (let ref = start; ref !== null; ref = nodes.get(ref)?.parent ?? null) {
    if (seen.has(ref)) throw new ConversationError('the mapping has a cycle');
    seen.add(ref);
    if (kept.has(ref)) return ref;
  }
  return null;
}

/** One conversation of ChatGPT's conversations.json. */
export function fromChatgpt(value: unknown, now = new Date()): ImportedChat {
  if (!isObject(value) || !isObject(value.mapping)) {
    throw new ConversationError('not a ChatGPT conversation (no mapping)');
  }
  const id = str(value.conversation_id) ?? str(value.id);
  if (!id) throw new ConversationError('the conversation has no id');
  const ctx: ChatgptContext = {
    fallbackTime: fromSeconds(value.create_time, now),
    notes: new Map(),
    system: { prompt: null },
  };
  const nodes = readNodes(value.mapping);
  const kept = new Map<string, ImportedMessage>();
  for (const node of nodes.values()) {
    const message = node.message && chatgptMessage(node.id, node.message, ctx);
    if (message) kept.set(node.id, message);
  }
  for (const message of kept.values()) {
    message.parentRef = keptAncestor(nodes, kept, nodes.get(message.ref)?.parent ?? null);
  }
  const ordered = topological([...kept.values()]);
  // Messages that no root leads to hang in a cycle of parents.
  if (ordered.length !== kept.size) throw new ConversationError('the mapping has a cycle');
  const current = str(value.current_node);
  const title = str(value.title);
  return {
    key: `chatgpt:${id}`,
    name: title ?? id,
    title: title?.slice(0, 200) || null,
    systemPrompt: ctx.system.prompt,
    providerId: null,
    model: str(value.default_model_slug),
    createdAt: ctx.fallbackTime,
    updatedAt: fromSeconds(value.update_time, ctx.fallbackTime),
    messages: ordered,
    leafRef: current ? keptAncestor(nodes, kept, current) : null,
    notes: ctx.notes,
  };
}

/** Parents before children; siblings (and roots) by creation time. */
function topological(messages: ImportedMessage[]): ImportedMessage[] {
  const children = Map.groupBy(messages, (m) => m.parentRef);
  const byTime = (a: ImportedMessage, b: ImportedMessage) => a.createdAt.getTime() - b.createdAt.getTime();
  const ordered: ImportedMessage[] = [];
  const stack = [...(children.get(null) ?? [])].sort(byTime).reverse();
  while (stack.length > 0) {
    const next = stack.pop() as ImportedMessage;
    ordered.push(next);
    stack.push(...[...(children.get(next.ref) ?? [])].sort(byTime).reverse());
  }
  return ordered;
}

const STATUSES = new Set(['complete', 'stopped', 'error']);

/** A date as an export writes it (ISO text), else `fallback`. */
function fromIso(value: unknown, fallback: Date): Date {
  if (typeof value !== 'string') return fallback;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999 ? fallback : date;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);

interface ParleyContext {
  refs: Set<string>;
  own: (provider: unknown) => string | null;
  fallbackTime: Date;
  notes: Map<string, number>;
}

/** A message of a Parley export, or null when it is malformed (counted). Its parent must come before it. */
function parleyMessage(raw: unknown, ctx: ParleyContext): ImportedMessage | null {
  const ref = isObject(raw) ? str(raw.id) : null;
  const role = isObject(raw) ? str(raw.role) : null;
  if (!isObject(raw) || !ref || (role !== 'user' && role !== 'assistant') || ctx.refs.has(ref)) {
    note(ctx.notes, 'malformed messages skipped');
    return null;
  }
  const parentRef = str(raw.parentId);
  if (parentRef !== null && !ctx.refs.has(parentRef)) {
    throw new ConversationError(`message ${ref} comes before its parent`);
  }
  ctx.refs.add(ref);
  const status = str(raw.status) ?? 'complete';
  const known = STATUSES.has(status);
  if (!known) note(ctx.notes, 'replies that were still generating imported as stopped');
  const usage = isObject(raw.usage) ? raw.usage : {};
  const at = fromIso(raw.createdAt, ctx.fallbackTime);
  const text = clean(str(raw.text) ?? '');
  const parts = Array.isArray(raw.parts) ? cleanParts(raw.parts.filter(isObject) as StoredPart[]) : null;
  return {
    ref,
    parentRef,
    role,
    text,
    parts: parts ?? [{ type: 'text', text }],
    status: known ? (status as ImportedMessage['status']) : 'stopped',
    error: str(raw.error),
    providerId: ctx.own(raw.providerId),
    model: str(raw.model),
    inputTokens: count(usage.inputTokens),
    outputTokens: count(usage.outputTokens),
    finishReason: str(raw.finishReason),
    createdAt: at,
    updatedAt: fromIso(raw.updatedAt, at),
  };
}

/** One chat of a Parley export (GET /api/export, users.exportData). `ownProviders`: provider ids the importer owns. */
export function fromParley(value: unknown, ownProviders: Set<string>, now = new Date()): ImportedChat {
  if (!isObject(value) || !Array.isArray(value.messages)) {
    throw new ConversationError('not a Parley chat (no messages)');
  }
  const id = str(value.id);
  if (!id) throw new ConversationError('the chat has no id');
  const own = (provider: unknown) => {
    const providerId = str(provider);
    return providerId && ownProviders.has(providerId) ? providerId : null;
  };
  const createdAt = fromIso(value.createdAt, now);
  const ctx: ParleyContext = { refs: new Set(), own, fallbackTime: createdAt, notes: new Map() };
  const messages = value.messages.map((raw) => parleyMessage(raw, ctx)).filter((m) => m !== null);
  const leaf = str(value.currentLeafId);
  const title = str(value.title);
  return {
    key: `parley:${id}`,
    name: title ?? id,
    title: title?.slice(0, 200) || null,
    systemPrompt: str(value.systemPrompt),
    providerId: own(value.providerId),
    model: str(value.model),
    createdAt,
    updatedAt: fromIso(value.updatedAt, createdAt),
    messages,
    leafRef: leaf && ctx.refs.has(leaf) ? leaf : (messages.at(-1)?.ref ?? null),
    notes: ctx.notes,
  };
}

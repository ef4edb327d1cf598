// Message rows as clients see them.
import type { StoredPart } from '../../shared/db/schema/index.ts';
import type { MessageRow } from './repository.ts';
import type { Message } from './schema.ts';

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    chatId: row.chatId,
    parentId: row.parentId,
    role: row.role,
    // A live reply's checkpoints append text only; its parts are written when it ends.
    parts: row.status === 'streaming' && row.parts.length === 0 ? replyParts(row.text, '') : row.parts,
    text: row.text,
    status: row.status,
    error: row.error,
    providerId: row.providerId,
    model: row.model,
    usage:
      row.inputTokens === null && row.outputTokens === null
        ? null
        : { inputTokens: row.inputTokens ?? 0, outputTokens: row.outputTokens ?? 0 },
    finishReason: row.finishReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** AI SDK UI message parts for a reply: its reasoning (when the model gave any), then its text. */
export function replyParts(text: string, reasoning: string): StoredPart[] {
  return [...(reasoning ? [{ type: 'reasoning', text: reasoning }] : []), ...(text ? [{ type: 'text', text }] : [])];
}

// The conversation sent to the model: the chat's messages up to the one being answered, one reply per question
// (the newest finished one, when a reply was regenerated), bounded by the history window.
import type { ModelMessage } from 'ai';
import type { HistoryRow } from './repository.ts';

/** Regenerated siblings can crowd the window: read this many rows, then keep one reply per question. */
export const historyRows = (window: number) => window * 3;

/** `rows` newest first, as read; the answer oldest first, as the model reads it. */
export function toModelMessages(rows: Pick<HistoryRow, 'role' | 'text' | 'status' | 'parentId'>[], window: number) {
  const chosenReply = new Set<string>();
  const kept: ModelMessage[] = [];
  for (const row of rows) {
    if (row.role === 'user') {
      kept.push({ role: 'user', content: row.text });
    } else if (row.text && row.status !== 'streaming' && row.parentId && !chosenReply.has(row.parentId)) {
      chosenReply.add(row.parentId);
      kept.push({ role: 'assistant', content: row.text });
    }
    if (kept.length >= window) break;
  }
  return kept.reverse();
}

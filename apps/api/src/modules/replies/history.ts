// The conversation sent to the model: the path from the chat's root to the message being answered (one branch of
// the tree, never the others), bounded by the history window.
import type { ModelMessage } from 'ai';
import type { HistoryRow } from './repository.ts';

/** Replies that carry nothing (failed before any text, still streaming) are skipped: read a few more rows. */
export const historyRows = (window: number) => window * 2;

/** `rows` the path newest first, as read; the answer oldest first, as the model reads it. */
export function toModelMessages(rows: Pick<HistoryRow, 'role' | 'text' | 'status'>[], window: number) {
  const kept: ModelMessage[] = [];
  for (const row of rows) {
    if (row.role === 'user') kept.push({ role: 'user', content: row.text });
    else if (row.text && row.status !== 'streaming') kept.push({ role: 'assistant', content: row.text });
    if (kept.length >= window) break;
  }
  return kept.reverse();
}

// The conversation sent to the model: the chat's messages up to the one being answered, one reply per question
// (the newest finished one, when a reply was regenerated), bounded by the history window.
import type { ModelMessage } from 'ai';
import type { Db } from '../../shared/db/client.ts';
import * as repository from './repository.ts';

export async function buildHistory(db: Db, chatId: string, uptoSeq: number, window: number): Promise<ModelMessage[]> {
  // Regenerated siblings can crowd the window: read more rows than it holds, then keep one reply per question.
  const rows = await repository.findHistory(db, chatId, uptoSeq, window * 3);
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

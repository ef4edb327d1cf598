// A chat is a tree (each message's parentId): the conversation shown is one path through it, from a leaf up to the
// root. Regenerated replies are siblings under the same question. Built from the messages loaded so far.
import type { RouterOutputs } from '@parley/shared';

export type Message = RouterOutputs['chat']['messages']['items'][number];
export interface PathItem {
  message: Message;
  /** The ids of the messages with the same parent, oldest first, itself included. */
  siblingIds: string[];
}

/** `messages` newest first (chat.messages' order). `leafId` null: the newest message's path. */
export function conversationPath(messages: Message[], leafId: string | null): PathItem[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const children = childrenByParent(messages);
  let current = (leafId && byId.get(leafId)) || messages[0];
  const path: PathItem[] = [];
  const seen = new Set<string>();
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    const siblings = children.get(current.parentId ?? '') ?? [current];
    path.push({ message: current, siblingIds: siblings.map((m) => m.id) });
    current = current.parentId ? byId.get(current.parentId) : undefined;
  }
  return path.reverse();
}

/** The leaf reached from `messageId` by always taking the newest child: what "show this branch" opens. */
export function newestLeafUnder(messages: Message[], messageId: string): string {
  const children = childrenByParent(messages);
  let id = messageId;
  for (;;) {
    const next = children.get(id)?.at(-1);
    if (!next) return id;
    id = next.id;
  }
}

function childrenByParent(messages: Message[]): Map<string, Message[]> {
  const children = new Map<string, Message[]>();
  // Oldest first: messages arrive newest first.
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    const key = m.parentId ?? '';
    const list = children.get(key);
    if (list) list.push(m);
    else children.set(key, [m]);
  }
  return children;
}

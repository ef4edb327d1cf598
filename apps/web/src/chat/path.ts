// The conversation shown is one path through the chat's tree (chat.history: root to the current leaf, each message
// with its siblings' ids). Helpers over that path.
import type { Page, RouterOutputs } from '@parley/shared';

export type PathItem = RouterOutputs['chat']['history']['items'][number];

/** History pages come newest part first, each oldest first: the whole path, oldest first. */
export function joinPages(pages: Page<PathItem>[] | undefined): PathItem[] {
  return [...(pages ?? [])].reverse().flatMap((page) => page.items);
}

/**
 * What to show while a question is being sent: an edit (a parentId) cuts the path after its parent; the question
 * and reply already stored (seen in a refreshed history) are shown once, by the sending turn.
 */
export function shownPath(path: PathItem[], parentId: string | null | undefined, replyId: string | null): PathItem[] {
  let shown = path;
  if (parentId !== undefined) {
    const at = parentId === null ? -1 : shown.findIndex((m) => m.id === parentId);
    shown = shown.slice(0, at + 1);
  }
  if (replyId) {
    const reply = path.find((m) => m.id === replyId);
    if (reply) shown = shown.filter((m) => m.id !== replyId && m.id !== reply.parentId);
  }
  return shown;
}

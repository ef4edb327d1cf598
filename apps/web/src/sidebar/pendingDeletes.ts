// Chats the user deleted a moment ago: hidden at once, deleted for good when the "Undo" notice runs out (or when the
// page goes away first: a keepalive request outlives it). A list refetched meanwhile must not bring them back, so
// the sidebar filters them out.
import { useSyncExternalStore } from 'react';

let pending = new Set<string>();
const listeners = new Set<() => void>();

function emit(next: Set<string>) {
  pending = next;
  for (const listener of listeners) listener();
}

export function hideChat(id: string) {
  emit(new Set(pending).add(id));
}

export function unhideChat(id: string) {
  const next = new Set(pending);
  next.delete(id);
  emit(next);
}

export function usePendingDeletes(): ReadonlySet<string> {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => pending,
  );
}

/** When the page is left with deletions still waiting for their notice to end, they are sent now. */
export function deleteOnLeave(id: string): () => void {
  const send = () => {
    void fetch('/trpc/chat.delete', {
      method: 'POST',
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { id } }),
    });
  };
  window.addEventListener('pagehide', send);
  return () => window.removeEventListener('pagehide', send);
}

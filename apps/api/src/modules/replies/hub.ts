// Fan-out of a reply's events to whoever follows it. In-process now; a Redis-backed hub with the same interface
// lets several servers share replies.
import type { Message } from './schema.ts';

export type StreamEvent =
  | { type: 'delta'; delta: string /** length of the reply's text after this delta */; end: number }
  | { type: 'finish' | 'error'; message: Message }
  /** The reply ended here without a final event (its row is gone, or its final write failed): read the row. */
  | { type: 'gone' };

export interface EventHub {
  publish(messageId: string, event: StreamEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(messageId: string, listener: (event: StreamEvent) => void): () => void;
}

export function createLocalHub(): EventHub {
  const listeners = new Map<string, Set<(event: StreamEvent) => void>>();
  return {
    publish(messageId, event) {
      for (const listener of listeners.get(messageId) ?? []) listener(event);
    },
    subscribe(messageId, listener) {
      let set = listeners.get(messageId);
      if (!set) {
        set = new Set();
        listeners.set(messageId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(messageId);
      };
    },
  };
}

// Fan-out of a reply's events to whoever follows it. In-process here (one server: the embedded default); on Redis
// (redis-bus.ts) when several servers share the users, so a reply written on one is followed and stopped on another.
import type { Message } from './schema.ts';

export type StreamEvent =
  | { type: 'delta'; delta: string /** length of the reply's text after this delta */; end: number }
  | { type: 'finish' | 'error'; message: Message }
  /** The reply ended here without a final event (its row is gone, or its final write failed): read the row. */
  | { type: 'gone' };

export type Listener = (event: StreamEvent) => void;

export interface EventHub {
  /** Sends an event of a reply to its followers, on this server and (with Redis) on the others. */
  publish(messageId: string, event: StreamEvent): void;
  /** Events published on this server. Returns the unsubscribe function. */
  subscribe(messageId: string, listener: Listener): () => void;
  /**
   * Events of a reply generating on another server (or none: a crash), from the text offset `from` on, and the final
   * event whoever writes it. The local hub has no other server: the same as subscribe.
   */
  follow(messageId: string, from: number, listener: Listener): () => void;
  /** Asks the server that owns the reply to stop it; false when there is no other server to ask. */
  requestStop(messageId: string): Promise<boolean>;
  /** What to do when another server asks this one to stop a reply. */
  onStopRequest(handler: (messageId: string) => void): void;
  close(): Promise<void>;
}

export function createLocalHub(): EventHub {
  const listeners = new Map<string, Set<Listener>>();
  const subscribe = (messageId: string, listener: Listener) => {
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
  };
  return {
    publish(messageId, event) {
      for (const listener of listeners.get(messageId) ?? []) listener(event);
    },
    subscribe,
    follow: (messageId, _from, listener) => subscribe(messageId, listener),
    requestStop: async () => false,
    onStopRequest() {},
    async close() {},
  };
}

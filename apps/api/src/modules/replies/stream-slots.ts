// How many reply streams (chat.stream, chat.sendAndStream) one user may hold open at once on this server. Each open
// stream holds a request, a queue and a hub subscription: without a cap, one client could open thousands.
import { AppError } from '../../shared/lib/errors.ts';

export interface StreamSlots {
  /**
   * Takes one of the user's slots, or throws TOO_MANY_STREAMS. The returned release runs once: at the stream's end,
   * or when its request's signal aborts (a client gone before the stream was ever read).
   */
  take(userId: string, signal: AbortSignal | undefined): () => void;
  /** The user's open streams (tests). */
  count(userId: string): number;
}

export function createStreamSlots(max: number): StreamSlots {
  const open = new Map<string, number>();
  return {
    take(userId, signal) {
      const count = open.get(userId) ?? 0;
      if (count >= max) throw new AppError('TOO_MANY_STREAMS');
      open.set(userId, count + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        signal?.removeEventListener('abort', release);
        const left = (open.get(userId) ?? 1) - 1;
        if (left <= 0) open.delete(userId);
        else open.set(userId, left);
      };
      signal?.addEventListener('abort', release, { once: true });
      return release;
    },
    count(userId) {
      return open.get(userId) ?? 0;
    },
  };
}

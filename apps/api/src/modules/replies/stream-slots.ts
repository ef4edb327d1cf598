// How many reply streams (chat.stream, chat.sendAndStream) one user, and all users, may hold open at once on this server. Each open
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
  /** Every open stream on this server (metrics). */
  total(): number;
}

export function createStreamSlots(max: number, maxPerServer = Number.POSITIVE_INFINITY): StreamSlots {
  const open = new Map<string, number>();
  let total = 0;
  return {
    take(userId, signal) {
      const count = open.get(userId) ?? 0;
      if (count >= max) throw new AppError('TOO_MANY_STREAMS');
      if (total >= maxPerServer) {
        throw new AppError('TOO_MANY_STREAMS', 'This server holds as many reply streams as it may; try again shortly');
      }
      open.set(userId, count + 1);
      total++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        total--;
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
    total: () => total,
  };
}

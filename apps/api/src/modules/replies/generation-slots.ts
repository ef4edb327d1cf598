// How many replies one user may have generating at once (MAX_CONCURRENT_GENERATIONS), counted where it is enforced:
// chat.send, chat.sendAndStream, chat.regenerate and the gateway each take a slot before the provider is called and
// give it back when the reply ends. In-process here; on Redis (redis-slots.ts) when several servers share the users.
import { AppError } from '../../shared/lib/errors.ts';

export interface GenerationSlots {
  /** Takes one of the user's slots for `id` (a reply or a gateway call), or throws TOO_MANY_GENERATIONS. */
  acquire(userId: string, id: string): Promise<void>;
  /** Gives the slot back; safe to call twice. */
  release(userId: string, id: string): Promise<void>;
  /** Keeps the slots of these live ids held (the owner's heartbeat; slots on Redis expire without it). */
  renew(entries: { userId: string; id: string }[]): Promise<void>;
}

export function tooManyGenerations(max: number): AppError {
  return new AppError(
    'TOO_MANY_GENERATIONS',
    `At most ${max} replies may generate at once; wait for one to finish or stop it`,
  );
}

export function createLocalSlots(max: number): GenerationSlots {
  const held = new Map<string, Set<string>>();
  return {
    async acquire(userId, id) {
      let ids = held.get(userId);
      if (!ids) {
        ids = new Set();
        held.set(userId, ids);
      }
      if (ids.has(id)) return;
      if (ids.size >= max) throw tooManyGenerations(max);
      ids.add(id);
    },
    async release(userId, id) {
      const ids = held.get(userId);
      if (!ids) return;
      ids.delete(id);
      if (ids.size === 0) held.delete(userId);
    },
    async renew() {},
  };
}

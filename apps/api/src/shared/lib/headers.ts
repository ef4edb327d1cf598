// Node's incoming headers read in place, on every request (the session lookup, the request context). A full copy
// into a Fetch Headers object, for Better Auth's own routes, is Better Auth's `fromNodeHeaders` (better-auth/node).
import type { IncomingHttpHeaders } from 'node:http';

/** Reads single headers; a Fetch Headers object is one, and so is the cheap view of Node's headers below. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** Node's incoming headers read in place (no copy into a Fetch Headers object on every request). */
export function headerReader(incoming: IncomingHttpHeaders): HeaderReader {
  return {
    get(name) {
      const value = incoming[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

// Node's incoming headers as a Fetch Headers object, for Better Auth and tRPC.
import type { IncomingHttpHeaders } from 'node:http';

export function toFetchHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

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

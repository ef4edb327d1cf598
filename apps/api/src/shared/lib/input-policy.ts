// One input policy for every route (tRPC, REST and Better Auth): strings PostgreSQL cannot store (NUL bytes) or
// that are not text (lone UTF-16 surrogates) are refused naming the field; bodies nested deeper than MAX_DEPTH are
// refused before JSON.parse; dates are kept inside the range both JavaScript and PostgreSQL's text format accept.
// shared/trpc.ts applies it to every procedure's raw input, shared/plugins/input-policy.ts to every HTTP body and
// query string.

/** Deeper than any input of ours (the deepest is ~4); deep enough that no honest client meets it. */
export const MAX_DEPTH = 64;

/** Years 1–9999: what toISOString writes without a sign or six digits, and what PostgreSQL reads back. */
export const MIN_DATE_MS = Date.parse('0001-01-01T00:00:00.000Z');
export const MAX_DATE_MS = Date.parse('9999-12-31T23:59:59.999Z');

export function dateInRange(date: Date): boolean {
  const ms = date.getTime();
  return ms >= MIN_DATE_MS && ms <= MAX_DATE_MS;
}

export interface InputFault {
  /** Dotted path of the field at fault ('' for the input itself). */
  field: string;
  message: string;
}

/** A string PostgreSQL would refuse (NUL) or that is not well-formed UTF-16 (a lone surrogate). */
export function badString(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain a NUL character';
  if (!value.isWellFormed()) return 'must not contain a lone surrogate';
  return null;
}

/**
 * The first string (value or key) the policy refuses, or the first place nested deeper than MAX_DEPTH, in a parsed
 * value. Stops at the first fault; never recurses past MAX_DEPTH, so a cyclic or 10,000-deep value costs little.
 */
export function inputFault(value: unknown, path: string[] = [], depth = 0): InputFault | null {
  if (typeof value === 'string') {
    const message = badString(value);
    return message ? { field: path.join('.'), message } : null;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  if (depth >= MAX_DEPTH) return { field: path.join('.'), message: `is nested deeper than ${MAX_DEPTH} levels` };
  if (Array.isArray(value)) return itemsFault(value, path, depth);
  if (value instanceof Map) return itemsFault([...value.entries()], path, depth);
  if (value instanceof Set) return itemsFault([...value.values()], path, depth);
  return fieldsFault(value as Record<string, unknown>, path, depth);
}

function itemsFault(items: unknown[], path: string[], depth: number): InputFault | null {
  for (let i = 0; i < items.length; i++) {
    const fault = inputFault(items[i], [...path, String(i)], depth + 1);
    if (fault) return fault;
  }
  return null;
}

function fieldsFault(value: Record<string, unknown>, path: string[], depth: number): InputFault | null {
  for (const key of Object.keys(value)) {
    const keyMessage = badString(key);
    if (keyMessage) return { field: [...path, '(key)'].join('.'), message: `a key ${keyMessage}` };
    const fault = inputFault(value[key], [...path, key], depth + 1);
    if (fault) return fault;
  }
  return null;
}

/**
 * Whether JSON text nests deeper than `max` arrays/objects: one pass over the characters, no parsing, so a
 * 10,000-deep body is refused for the price of reading it. Brackets inside strings do not count.
 */
export function jsonTooDeep(text: string, max = MAX_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

const QUOTE = 34;
const BACKSLASH = 92;

/** The index of the quote closing the string opened at `start` (escapes skipped), or the end of the text. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return text.length;
}

/** Image URLs users may set: https, or an inline image. Never javascript:, http: (mixed content) or anything else. */
export function isAllowedImageUrl(value: string): boolean {
  if (value.startsWith('data:image/')) return true;
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Longest display name, as users.updateProfile takes it. */
export const MAX_NAME_CHARS = 100;

/**
 * The profile rules of users.updateProfile for Better Auth's sign-up and update-user bodies, which take any name
 * (a number, blanks, null: a 500) and any image: the field at fault and why, or null.
 */
export function profileFault(body: unknown): InputFault | null {
  if (body === null || typeof body !== 'object') return null;
  const { name, image } = body as { name?: unknown; image?: unknown };
  if (name !== undefined && (typeof name !== 'string' || !name.trim() || name.length > MAX_NAME_CHARS)) {
    return { field: 'name', message: `expected a name of 1 to ${MAX_NAME_CHARS} characters` };
  }
  if (image !== undefined && image !== null) {
    if (typeof image !== 'string' || image.length > 2000 || !isAllowedImageUrl(image)) {
      return { field: 'image', message: 'expected an https: or data:image/ URL' };
    }
  }
  return null;
}

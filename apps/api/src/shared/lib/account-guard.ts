// Account protections that Better Auth leaves to the application: which passwords are refused (NIST SP 800-63B:
// at least 8 characters, no composition rules, not all whitespace, not a known common or breached password), and
// attempt counters per account (failed sign-ins, sign-ups per email) next to Better Auth's per-address limit.
import { dictionary } from '@zxcvbn-ts/language-common';

let common: Set<string> | undefined;

/**
 * The ~18,000 passwords of 8 characters or more in zxcvbn-ts's list of the most common passwords (from breach
 * corpora; shorter ones are refused by length already). Built on first use, lower-cased: "Password1" is refused too.
 */
function commonPasswords(): Set<string> {
  common ??= new Set(
    dictionary['passwords-common'].filter((word) => word.length >= 8).map((word) => word.toLowerCase()),
  );
  return common;
}

/** Why this password may not be used, or null. Length bounds are Better Auth's (minPasswordLength). */
export function passwordProblem(password: string, context: { email?: unknown } = {}): string | null {
  if (password.trim() === '') return 'The password cannot be only spaces';
  const lower = password.toLowerCase();
  if (/^(.)\1*$/u.test(password)) return 'The password cannot be one character repeated';
  if (commonPasswords().has(lower) || commonPasswords().has(lower.replace(/\s+/g, ''))) {
    return 'This password is one of the most common ones; choose another';
  }
  const email = typeof context.email === 'string' ? context.email.toLowerCase() : '';
  const local = email.split('@')[0] ?? '';
  if (email && (lower === email || (local.length >= 4 && lower === local))) {
    return 'The password cannot be your email address';
  }
  return null;
}

/**
 * Counts events per key in a sliding window, in this process's memory (the several-servers work moves counters to
 * Redis). The map is bounded: past maxKeys, the oldest keys are dropped, which only ever forgets, never blocks.
 */
export function createAttemptCounter({
  max,
  windowMs,
  maxKeys = 100_000,
}: {
  max: number;
  windowMs: number;
  maxKeys?: number;
}) {
  const events = new Map<string, number[]>();
  const recent = (key: string, now: number) => {
    const list = (events.get(key) ?? []).filter((at) => now - at < windowMs);
    if (list.length === 0) events.delete(key);
    else events.set(key, list);
    return list;
  };
  return {
    /** True when the key has used up its window. */
    exhausted(key: string, now = Date.now()): boolean {
      return recent(key, now).length >= max;
    },
    record(key: string, now = Date.now()): void {
      const list = recent(key, now);
      list.push(now);
      events.delete(key);
      events.set(key, list);
      if (events.size > maxKeys) events.delete(events.keys().next().value as string);
    },
    reset(key: string): void {
      events.delete(key);
    },
  };
}

/** The key an email is counted under (Better Auth compares emails lower-cased). */
export function emailKey(email: unknown): string | null {
  return typeof email === 'string' && email.trim() !== '' ? email.trim().toLowerCase() : null;
}

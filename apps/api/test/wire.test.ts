// The fast serializer (src/shared/lib/wire.ts) writes superjson's bytes exactly: over thousands of generated values,
// plain and not, and the edge cases by name. Every case is compared against superjson.serialize itself.
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { serialize } from '../src/shared/lib/wire.ts';

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['id', 'a.b', 'x\\y', '0', '12', 'createdAt', 'é', '', 'items', 'data.v', '__proto__', 'constructor'];

function generate(next: () => number, depth: number, shared: object[], plainOnly: boolean): unknown {
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)] as T;
  const leaves: (() => unknown)[] = [
    () => pick(['', 'text', 'a.b', '\u0000', '\ud800', '😀']),
    () => Math.floor(next() * 2000) - 1000,
    () => next() * 10,
    () => next() < 0.5,
    () => null,
    () => undefined,
    () => new Date(Math.floor(next() * 2e12)),
  ];
  const exotic: (() => unknown)[] = [
    () => Number.NaN,
    () => -0,
    () => Number.POSITIVE_INFINITY,
    () => BigInt(7),
    () => new Map([['k', 1]]),
    () => new Set([1]),
    () => new Date(Number.NaN),
    () => /re/g,
    () => new Error('boom'),
    () => (shared.length > 0 ? pick(shared) : {}),
  ];
  if (depth <= 0 || next() < 0.35) {
    const pool = plainOnly || next() < 0.85 ? leaves : exotic;
    return pick(pool)();
  }
  if (next() < 0.4) {
    const array = Array.from({ length: Math.floor(next() * 4) }, () => generate(next, depth - 1, shared, plainOnly));
    shared.push(array);
    return array;
  }
  const object: Record<string, unknown> = next() < 0.1 ? Object.create(null) : {};
  for (let i = Math.floor(next() * 5); i > 0; i--) {
    const key = pick(plainOnly ? KEYS.filter((k) => k !== '__proto__' && k !== 'constructor') : KEYS);
    Object.defineProperty(object, key, {
      value: generate(next, depth - 1, shared, plainOnly),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  shared.push(object);
  return object;
}

/** Both serializers' JSON, or the message each threw. */
function both(value: unknown) {
  const run = (f: (v: unknown) => unknown) => {
    try {
      return JSON.stringify(f(value));
    } catch (error) {
      return `threw: ${(error as Error).message}`;
    }
  };
  return { fast: run(serialize), superjson: run((v) => superjson.serialize(v)) };
}

describe('the same bytes as superjson', () => {
  it('for 3,000 generated plain values (objects, arrays, Dates, undefined, escaped keys)', () => {
    const next = random(20261130);
    for (let i = 0; i < 3_000; i++) {
      const value = { root: generate(next, 5, [], true), n: i };
      const { fast, superjson: expected } = both(value);
      expect(fast, `case ${i}`).toBe(expected);
    }
  });

  it('for 3,000 generated values with exotic parts (Map, BigInt, NaN, -0, shared objects, risky keys)', () => {
    const next = random(7);
    for (let i = 0; i < 3_000; i++) {
      const shared: object[] = [];
      const value = generate(next, 5, shared, false);
      const { fast, superjson: expected } = both(value);
      expect(fast, `case ${i}`).toBe(expected);
    }
  });

  it.each([
    ['a page of chats', { items: [{ id: 'c', createdAt: new Date(1), title: null }], nextCursor: null }],
    ['a root Date', new Date(5)],
    ['a root undefined', undefined],
    ['a root string', 'plain'],
    ['a root array of Dates', [new Date(1), new Date(2)]],
    [
      'one Date used twice',
      (() => {
        const d = new Date(3);
        return { createdAt: d, updatedAt: d };
      })(),
    ],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case
    ['a hole in an array', [1, , 3]],
    ['an empty object', {}],
    ['keys that need escaping', { 'a.b': { 'c\\d': new Date(4) } }],
  ])('for %s', (_name, value) => {
    const { fast, superjson: expected } = both(value);
    expect(fast).toBe(expected);
  });
});

// superjson's wire format, written faster for what our procedures return: plain objects, arrays, strings, finite
// numbers, booleans, null, undefined and valid Dates, each object met once. Anything else (a Map, a BigInt, NaN,
// an object met twice, an Error, a class instance, a risky key) goes to superjson itself, so the bytes are always
// superjson's (a test compares the two over many generated values). superjson was ~24 % of the server's CPU on
// chat.list (20 chats) under load; this walk does one pass and no path arrays. Checked against superjson 2.2.6.
import superjson from 'superjson';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SuperJSONResult = ReturnType<typeof superjson.serialize>;

class NotPlain extends Error {}
const NOT_PLAIN = new NotPlain();

const RISKY_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** superjson's escaping of a key inside an annotation path. */
const escapeKey = (key: string) =>
  key.includes('.') || key.includes('\\') ? key.replace(/\\/g, '\\\\').replace(/\./g, '\\.') : key;

type Annotation = ['Date'] | ['undefined'] | { [path: string]: Annotation };

/**
 * What the value just walked needs in `meta.values`, built bottom-up and merged per level like superjson does: a
 * JavaScript object puts integer-like keys first, so the order of the paths depends on the merging, level by level.
 */
let annotation: Annotation | undefined;

function walk(value: unknown, seen: Set<object>): Json {
  annotation = undefined;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) throw NOT_PLAIN;
      return value;
    case 'undefined':
      annotation = ['undefined'];
      return null;
    case 'object':
      return value === null ? null : walkObject(value, seen);
    default:
      throw NOT_PLAIN;
  }
}

function walkObject(value: object, seen: Set<object>): Json {
  if (seen.has(value)) throw NOT_PLAIN; // superjson would record a referential equality
  seen.add(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw NOT_PLAIN;
    annotation = ['Date'];
    return value.toISOString();
  }
  const merged: Merged = { inner: undefined };
  const out = Array.isArray(value) ? walkArray(value, seen, merged) : walkFields(value, seen, merged);
  annotation = merged.inner;
  return out;
}

type Merged = { inner: { [path: string]: Annotation } | undefined };

/** Adds the annotation of the child just walked (at `key`) to its parent's. */
function merge(merged: Merged, key: string) {
  const child = annotation;
  if (!child) return;
  merged.inner ??= {};
  const escaped = escapeKey(key);
  if (Array.isArray(child)) merged.inner[escaped] = child;
  else for (const path of Object.keys(child)) merged.inner[`${escaped}.${path}`] = child[path] as Annotation;
}

function walkArray(value: unknown[], seen: Set<object>, merged: Merged): Json {
  const items: Json[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) throw NOT_PLAIN; // a hole: superjson skips it
    items[i] = walk(value[i], seen);
    merge(merged, String(i));
  }
  return items;
}

function walkFields(value: object, seen: Set<object>, merged: Merged): Json {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const fields: { [key: string]: Json } = {};
  for (const key of Object.keys(value)) {
    if (RISKY_KEYS.has(key)) throw NOT_PLAIN;
    fields[key] = walk((value as Record<string, unknown>)[key], seen);
    merge(merged, key);
  }
  return fields;
}

/** superjson.serialize, byte for byte, in one pass for plain data. */
export function serialize(value: unknown): SuperJSONResult {
  if (value === null || typeof value !== 'object' || value instanceof Date) {
    // Roots that are not containers are rare (and a root Date or undefined is annotated differently): superjson.
    return superjson.serialize(value);
  }
  let json: Json;
  try {
    json = walkObject(value, new Set());
  } catch (error) {
    if (error instanceof NotPlain) return superjson.serialize(value);
    throw error;
  }
  const values = annotation;
  annotation = undefined;
  return (values ? { json, meta: { values, v: 1 } } : { json }) as SuperJSONResult;
}

/**
 * Annotations an input may carry: values JSON cannot say. Never a class, custom type, symbol or typed array (they
 * name things on the server; an unregistered class sent superjson into unbounded recursion), never referential
 * equalities (our inputs have no shared objects; a chain of them builds cycles and deep graphs from a few bytes).
 */
const INPUT_ANNOTATIONS = new Set(['undefined', 'Date', 'bigint', 'number', 'regexp', 'set', 'map', 'URL']);
const MAX_ANNOTATIONS = 1_000;
const MAX_PATH_CHARS = 1_000;

export class InputMetaRefused extends Error {
  override name = 'InputMetaRefused';
}

/** Throws unless every annotation in superjson's value tree is a plain one (bounded in count and path length). */
function checkValueTree(tree: unknown, budget: { left: number }, depth: number) {
  if (tree === undefined || tree === null) return;
  if (--budget.left < 0 || depth > 64) throw new InputMetaRefused('superjson metadata is too large');
  if (Array.isArray(tree)) {
    const [type, children] = tree as [unknown, unknown];
    if (typeof type !== 'string' || !INPUT_ANNOTATIONS.has(type)) {
      throw new InputMetaRefused('superjson metadata names a type inputs may not use');
    }
    if (children !== undefined) checkValueTree(children, budget, depth + 1);
    return;
  }
  if (typeof tree !== 'object') throw new InputMetaRefused('superjson metadata is malformed');
  for (const [path, child] of Object.entries(tree)) {
    if (path.length > MAX_PATH_CHARS) throw new InputMetaRefused('superjson metadata path is too long');
    checkValueTree(child, budget, depth + 1);
  }
}

/** superjson.deserialize for what clients send: its metadata checked first (test/input-policy.test.ts). */
export function deserialize<T = unknown>(payload: SuperJSONResult): T {
  const meta = (payload as { meta?: unknown } | null)?.meta;
  if (meta !== undefined && meta !== null) {
    if (typeof meta !== 'object') throw new InputMetaRefused('superjson metadata is malformed');
    const { values, referentialEqualities } = meta as { values?: unknown; referentialEqualities?: unknown };
    if (referentialEqualities !== undefined) {
      throw new InputMetaRefused('superjson referential equalities are not accepted in input');
    }
    checkValueTree(values, { left: MAX_ANNOTATIONS }, 0);
  }
  return superjson.deserialize<T>(payload);
}

/** The transformer tRPC uses: this serializer out, superjson's own in behind the metadata check. */
export const transformer = { serialize, deserialize };

// Inputs for the fuzz test (test/fuzz.test.ts): values generated from a procedure's Zod 4 input schema (read from
// its def), mostly valid so calls reach deep, mixed with hostile strings, numbers, dates and shapes. Seeded: the
// same seed gives the same sequence.

export type Rng = () => number;

/** mulberry32: small, fast, good enough to pick test inputs; deterministic per seed. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

/** A JSON value nested `n` deep, built without recursion. */
export function nested(n: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < n; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  ' '.repeat(8),
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00',
  '\uDBFF\uDBFF',
  '%00',
  '\u202Eevil',
  '🙂'.repeat(50),
  'x'.repeat(70_000),
  "'; drop table chat; --",
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
  'null',
  '#{7*7}{{7*7}}<%= 7*7 %>',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  'data:text/html,<b>x</b>',
  'data:image/png;base64,iVBORw0KGgo=',
  'https://img.example/a.png',
  'http://[::a9fe:a9fe]/',
  'http://[::127.0.0.1]/',
  'http://169.254.169.254/latest/meta-data/',
  'http://0x7f.1/',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00.000Z',
  'not-a-date',
  '1e400',
  '-0',
  cursorOf({ t: '+275760-09-13T00:00:00.000Z', id: 'x' }),
  cursorOf({ t: '2026-01-01T00:00:00.000Z', id: 'a\u0000' }),
  cursorOf({ t: '2026-01-01T00:00:00.000Z', id: { $gt: '' } }),
  cursorOf({ seq: 1e300 }),
  cursorOf({ seq: -1 }),
  cursorOf({ seq: '1; drop' }),
  cursorOf(nested(500)),
  '!!!not base64!!!',
];

export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -1,
  1,
  0.5,
  20,
  100,
  101,
  365,
  366,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
];

export const HOSTILE_DATES: readonly Date[] = [
  new Date(8.64e15),
  new Date(-8.64e15),
  new Date(Number.NaN),
  new Date('0001-01-01T00:00:00.000Z'),
  new Date('9999-12-31T23:59:59.999Z'),
  new Date(0),
  new Date('2026-01-01T00:00:00.000Z'),
];

/** Values of the wrong kind altogether, for any place in an input. */
export function hostileValue(rng: Rng): unknown {
  switch (Math.floor(rng() * 9)) {
    case 0:
      return pick(rng, HOSTILE_STRINGS);
    case 1:
      return pick(rng, HOSTILE_NUMBERS);
    case 2:
      return pick(rng, HOSTILE_DATES);
    case 3:
      return null;
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return nested(Math.floor(rng() * 200));
    case 7:
      return rng() < 0.5;
    default:
      return { 'a\u0000': 1, __proto__key: { constructor: { prototype: 1 } } };
  }
}

/** The pieces of a Zod 4 schema the generator reads. */
type Def = {
  type: string;
  format?: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  element?: Schema;
  in?: Schema;
  options?: Schema[];
  entries?: Record<string, string>;
  values?: unknown[];
};
type Schema = { _zod: { def: Def } };

export interface GenerateOptions {
  rng: Rng;
  /** Strings worth trying where a string goes: ids of both users' rows, real cursors, e-mails. */
  strings: readonly string[];
}

const isOptional = (schema: Schema) => ['optional', 'default'].includes(schema._zod.def.type);

/** A value for `schema`: mostly one it accepts, sometimes hostile at any depth. */
export function generate(schema: unknown, options: GenerateOptions, depth = 0): unknown {
  const { rng } = options;
  const def = (schema as Schema | undefined)?._zod?.def;
  if (!def || rng() < 0.06 || depth > 8) return hostileValue(rng);
  switch (def.type) {
    case 'object':
      return generateObject(def.shape ?? {}, options, depth);
    case 'string':
      return generateString(def, options);
    case 'number':
      return rng() < 0.5 ? Math.floor(rng() * 50) + 1 : pick(rng, HOSTILE_NUMBERS);
    case 'boolean':
      return rng() < 0.5;
    case 'enum':
      return rng() < 0.85 ? pick(rng, Object.values(def.entries ?? {})) : pick(rng, HOSTILE_STRINGS);
    case 'literal':
      return def.values?.[0];
    case 'optional':
    case 'default':
    case 'nullable':
      return generateWrapped(def, options, depth);
    case 'pipe':
      return generate(def.in, options, depth + 1);
    case 'array':
      return Array.from({ length: Math.floor(rng() * 4) }, () => generate(def.element, options, depth + 1));
    case 'union':
      return generate(pick(rng, def.options ?? []), options, depth + 1);
    case 'date':
      return rng() < 0.6 ? pick(rng, HOSTILE_DATES) : pick(rng, HOSTILE_STRINGS);
    default:
      return hostileValue(rng);
  }
}

/** optional and default: sometimes left out; nullable: sometimes null; else the inner schema's value. */
function generateWrapped(def: Def, options: GenerateOptions, depth: number): unknown {
  if (def.type === 'nullable') return options.rng() < 0.2 ? null : generate(def.innerType, options, depth + 1);
  return options.rng() < 0.3 ? undefined : generate(def.innerType, options, depth + 1);
}

function generateObject(shape: Record<string, Schema>, options: GenerateOptions, depth: number) {
  const { rng } = options;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    if (isOptional(field) && rng() < 0.4) continue;
    out[key] = generate(field, options, depth + 1);
  }
  if (rng() < 0.05) {
    // defineProperty: assigning __proto__ would set the prototype rather than send the key.
    const key = pick(rng, ['extra', '__proto__', 'constructor', 'userId', 'user_id']);
    Object.defineProperty(out, key, { value: hostileValue(rng), enumerable: true, configurable: true, writable: true });
  }
  return out;
}

function generateString(def: Def, { rng, strings }: GenerateOptions): string {
  const roll = rng();
  if (def.format === 'url' && roll < 0.5) {
    return pick(rng, ['https://api.example/v1', 'http://127.0.0.1:1/v1', 'http://[::a9fe:a9fe]/', 'ftp://x/']);
  }
  if (roll < 0.45) return pick(rng, strings);
  if (roll < 0.7) return Math.floor(rng() * 36 ** 6).toString(36);
  return pick(rng, HOSTILE_STRINGS);
}

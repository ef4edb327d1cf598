// docs/configuration.md, generated from the config schema (env.ts: names, defaults, allowed values) and .env.example
// (what each variable means), so the reference cannot drift: `pnpm --filter @parley/api docs:config` writes it, and a
// test fails when the file differs from what this function makes.
import type { z } from 'zod';
import { EnvSchema } from './env.ts';

interface Described {
  name: string;
  default: string | null;
  allowed: string;
  meaning: string;
}

type Internals = { _zod: { def: Record<string, unknown> } } & Record<string, unknown>;

/** The default (as a .env value) and the allowed values of one variable's schema. */
export function describeSchema(schema: z.ZodType): { default: string | null; allowed: string } {
  let inner = schema as unknown as Internals;
  let fallback: string | null = null;
  for (;;) {
    const def = inner._zod.def;
    if (def.type === 'default') {
      const value = def.defaultValue;
      fallback = Array.isArray(value) ? value.join(',') : String(value);
      inner = def.innerType as Internals;
    } else if (def.type === 'optional') inner = def.innerType as Internals;
    else break;
  }
  const def = inner._zod.def;
  if (def.type === 'number') return { default: fallback, allowed: `integer, ${inner.minValue} to ${inner.maxValue}` };
  if (def.type === 'enum') return { default: fallback, allowed: (inner.options as string[]).join(' \\| ') };
  if (fallback === 'true' || fallback === 'false') return { default: fallback, allowed: 'true \\| false' };
  return { default: fallback, allowed: 'text' };
}

/**
 * What .env.example says of each variable: the comment lines above it (a comment shared by several variables in a
 * row counts for each of them).
 */
export function meaningsFrom(envExample: string): Map<string, string> {
  const meanings = new Map<string, string>();
  let comment: string[] = [];
  let lastWasVariable = false;
  for (const raw of envExample.split('\n')) {
    const line = raw.trim();
    const variable = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    if (variable?.[1]) {
      meanings.set(variable[1], comment.join(' '));
      lastWasVariable = true;
    } else if (line.startsWith('#')) {
      if (lastWasVariable) comment = [];
      comment.push(line.replace(/^#\s?/, ''));
      lastWasVariable = false;
    } else if (line === '') {
      comment = [];
      lastWasVariable = false;
    }
  }
  return meanings;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function configurationReference(envExample: string): string {
  const meanings = meaningsFrom(envExample);
  const rows: Described[] = Object.entries(EnvSchema.shape).map(([name, schema]) => ({
    name,
    ...describeSchema(schema as z.ZodType),
    meaning: meanings.get(name) ?? '',
  }));
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from apps/api/src/shared/lib/env.ts and .env.example by `pnpm --filter @parley/api docs:config`.',
    '     Do not edit by hand: apps/api/test/gateway-docs.test.ts fails when this file differs from what it generates. -->',
    '',
    'Every variable the server reads, with its default and the values it accepts. Set them in `.env` at the',
    'repository root (copy `.env.example`) or export them; exported ones win, and an empty value counts as unset. A',
    'bad value stops the server with a message naming the variable and what it expects.',
    '',
    '| variable | default | accepts | what it does |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (r) => `| \`${r.name}\` | ${r.default ? `\`${cell(r.default)}\`` : '—'} | ${r.allowed} | ${cell(r.meaning)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

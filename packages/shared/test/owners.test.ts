// One owner per fact: the error data's shape, the provider kinds and the limits are defined in this package and
// imported everywhere else. This scan fails when a copy reappears in the sources of the apps (a literal list of
// kinds, a client's own cast of `error.data`, a form's or schema's number that a shared limit owns). The running
// values (the server's table, OpenAPI enum, schemas, defaults) are checked in apps/api/test/one-owner.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorDataOf } from '../src/errors.ts';
import { MAX_API_KEY_NAME_CHARS, MAX_NAME_CHARS, MAX_SYSTEM_PROMPT_CHARS, MESSAGE_CHARS_BOUND } from '../src/limits.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** Every TypeScript source of the apps and packages (not tests: they may spell values out to check them). */
function sources(): { path: string; text: string }[] {
  return ['apps', 'packages'].flatMap((group) =>
    readdirSync(join(ROOT, group)).flatMap((dir) => {
      const src = join(ROOT, group, dir, 'src');
      let entries: string[];
      try {
        entries = readdirSync(src, { recursive: true, encoding: 'utf8' });
      } catch {
        return [];
      }
      return entries
        .filter((name) => /\.tsx?$/.test(name))
        .map((name) => join(src, name))
        .map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
    }),
  );
}

const OWNERS = new Set([
  'packages/shared/src/errors.ts',
  'packages/shared/src/limits.ts',
  'packages/shared/src/provider-kinds.ts',
]);

/** A rule: where it applies, what it finds, and who owns the fact instead. */
interface Rule {
  name: string;
  applies: (path: string) => boolean;
  find: RegExp;
  /** For a rule on numbers: the captured number must be one of these to count. */
  values?: number[];
}

const inClients = (path: string) => path.startsWith('apps/web/src/') || path.startsWith('apps/cli/src/');
const anywhere = () => true;

const RULES: Rule[] = [
  {
    name: 'a list of provider kinds (import PROVIDER_KINDS from @parley/shared)',
    applies: anywhere,
    find: /\[[^[\]]*'anthropic'[^[\]]*'openai-compatible'[^[\]]*\]/g,
  },
  {
    name: 'an error data shape of its own (import ErrorData / errorDataOf from @parley/shared)',
    applies: anywhere,
    find: /interface\s+\w*ErrorData\b|appCode\??:\s*string\b/g,
  },
  {
    name: "a cast of a tRPC error's data (read it with errorDataOf from @parley/shared)",
    applies: inClients,
    find: /\{\s*data\?:\s*\{|\.data\s+as\s|\.data\b[^)\n]*\)\s+as\s/g,
  },
  {
    name: "a batch link's own maxItems (use MAX_BATCH_SIZE from @parley/shared)",
    applies: anywhere,
    find: /maxItems:\s*\d/g,
  },
  {
    name: "a form field's own length limit (use the limits of @parley/shared)",
    applies: (path) => path.startsWith('apps/web/src/'),
    find: /maxLength=\{\s*\d/g,
  },
  {
    name: 'a string bound that a shared limit owns (use the limits of @parley/shared)',
    applies: (path) => path.startsWith('apps/api/src/'),
    find: /z\.string\(\)[^;\n]*?\.max\(([\d_]+)\)/g,
    values: [MESSAGE_CHARS_BOUND, MAX_SYSTEM_PROMPT_CHARS, MAX_NAME_CHARS, MAX_API_KEY_NAME_CHARS],
  },
];

function matches(rule: Rule, path: string, text: string): string[] {
  if (!rule.applies(path)) return [];
  return [...text.matchAll(rule.find)]
    .filter((match) => !rule.values || rule.values.includes(Number(match[1]?.replaceAll('_', ''))))
    .map((match) => `${path}:${text.slice(0, match.index).split('\n').length}: ${rule.name}: ${match[0]}`);
}

function copies(files: { path: string; text: string }[]): string[] {
  return files.flatMap(({ path, text }) =>
    OWNERS.has(path) ? [] : RULES.flatMap((rule) => matches(rule, path, text)),
  );
}

describe('what works', () => {
  it('no source outside the owners holds a copy of a shared fact', () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(100);
    expect(copies(files)).toEqual([]);
  });

  it('the scan finds each kind of copy it is meant to find', () => {
    const planted = [
      { path: 'apps/cli/src/x.ts', text: "const KINDS = ['openai', 'anthropic', 'google', 'openai-compatible'];" },
      { path: 'apps/cli/src/x.ts', text: 'interface ServerErrorData { code: string }' },
      { path: 'apps/cli/src/x.ts', text: 'type Described = { appCode?: string };' },
      { path: 'apps/web/src/x.ts', text: 'const code = (error as { data?: { code?: string } }).data?.code;' },
      { path: 'apps/web/src/x.ts', text: 'const data = (error.data ?? null) as Shape | null;' },
      { path: 'apps/web/src/x.ts', text: 'httpBatchLink({ url, maxItems: 20 })' },
      { path: 'apps/web/src/x.tsx', text: '<TextField name="name" maxLength={100} />' },
      { path: 'apps/api/src/x.ts', text: 'const SystemPrompt = z.string().max(20_000);' },
      { path: 'apps/api/src/x.ts', text: 'const Name = z.string().trim().min(1).max(100);' },
    ];
    expect(planted.map((file) => copies([file]).length)).toEqual(planted.map(() => 1));
    // Bounds that no shared limit owns pass (a model id's 200, an id's 64).
    expect(copies([{ path: 'apps/api/src/x.ts', text: 'const Model = z.string().min(1).max(200);' }])).toEqual([]);
  });

  it("errorDataOf reads a failed call's data, duck-typed, and nothing else", () => {
    const data = { code: 'NOT_FOUND', httpStatus: 404, appCode: 'CHAT_NOT_FOUND', path: 'chat.get' };
    expect(errorDataOf(Object.assign(new Error('Chat not found'), { data }))).toEqual(data);
    expect(errorDataOf(new Error('fetch failed'))).toBeUndefined();
    expect(errorDataOf({ data: { code: 'NOT_FOUND' } })).toBeUndefined();
    expect(errorDataOf({ data: null })).toBeUndefined();
    expect(errorDataOf(null)).toBeUndefined();
    expect(errorDataOf('NOT_FOUND')).toBeUndefined();
  });
});

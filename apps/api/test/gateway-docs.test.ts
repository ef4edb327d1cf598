// The docs a newcomer reads hold to the code: every OpenAPI operation has a summary (the gateway, Better Auth and
// the event streams included), the configuration reference is what the config schema generates, the limits and
// defaults the README and .env.example state are the ones the server applies, and links in the docs lead somewhere.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { appRouter } from '../src/router.ts';
import { configurationReference, describeSchema, meaningsFrom } from '../src/shared/lib/config-reference.ts';
import { EnvSchema, loadConfig } from '../src/shared/lib/env.ts';
import { createOpenApiDocument } from '../src/shared/openapi.ts';
import { PROCEDURE_DOCS } from '../src/shared/openapi-routes.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const ENV_EXAMPLE = read('.env.example');
const shape = EnvSchema.shape as Record<string, z.ZodType>;
const defaultOf = (name: string) => (shape[name] ? describeSchema(shape[name]).default : undefined);

describe('the OpenAPI document', () => {
  const config = loadConfig({ NODE_ENV: 'test', AUTH_SECRET: 'x'.repeat(40), ENCRYPTION_KEYS: `k:${'A'.repeat(43)}=` });
  const document = createOpenApiDocument('http://127.0.0.1:3000', config.chat) as unknown as {
    paths: Record<
      string,
      Record<string, { operationId?: string; summary?: string; description?: string; requestBody?: unknown }>
    >;
  };
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, operation]) => operation.operationId)
      .map(([method, operation]) => ({ at: `${method.toUpperCase()} ${path}`, ...operation })),
  );

  it('every operation has a summary and a description', () => {
    expect(operations.length).toBeGreaterThan(40);
    expect(operations.filter((o) => !o.summary?.trim()).map((o) => o.at)).toEqual([]);
    expect(operations.filter((o) => !o.description?.trim()).map((o) => o.at)).toEqual([]);
  });

  it('the table of summaries names only procedures that exist', () => {
    const procedures = new Set(Object.keys(appRouter._def.procedures).map((path) => path.replaceAll('.', '-')));
    expect(Object.keys(PROCEDURE_DOCS).filter((id) => !procedures.has(id))).toEqual([]);
  });

  it("states the server's message limit, not the schema's sanity bound", () => {
    const body = document.paths['/chats/{chatId}/messages']?.post?.requestBody as {
      content: { 'application/json': { schema: { properties: { text: { maxLength: number } } } } };
    };
    expect(body.content['application/json'].schema.properties.text.maxLength).toBe(config.chat.maxMessageChars);
    expect(config.chat.maxMessageChars).toBe(32_000);
  });

  it('documents Better Auth, the event streams and the gateway beside the procedures', () => {
    const at = new Set(operations.map((o) => o.at));
    for (const route of [
      'POST /api/auth/sign-up/email',
      'POST /api/auth/sign-in/email',
      'POST /api/auth/sign-out',
      'GET /trpc/chat.stream',
      'GET /trpc/chat.sendAndStream',
      'GET /v1/models',
      'POST /v1/chat/completions',
    ]) {
      expect(at.has(route), route).toBe(true);
    }
  });
});

describe('configuration', () => {
  it('docs/configuration.md is what the config schema generates (pnpm --filter @parley/api docs:config)', () => {
    expect(read('docs/configuration.md')).toBe(configurationReference(ENV_EXAMPLE));
  });

  it('.env.example explains every variable, and its values are the defaults', () => {
    const meanings = meaningsFrom(ENV_EXAMPLE);
    expect(Object.keys(shape).filter((name) => !meanings.get(name))).toEqual([]);
    const set = [...ENV_EXAMPLE.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name, value]) => [name, value]);
    const differ = set.filter(([name, value]) => defaultOf(name as string) !== value);
    expect(differ).toEqual([]);
  });

  it("the README's and the guide's configuration tables state the server's defaults", () => {
    const rows = [read('README.md'), read('docs/guide.md')]
      .join('\n')
      .split('\n')
      .filter((line) => /^\| `[A-Z]/.test(line))
      .map((line) => line.split('|').map((c) => c.trim()));
    expect(rows.length).toBeGreaterThan(20);
    const differ: string[] = [];
    for (const [, names = '', defaults = ''] of rows) {
      const variables = [...names.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] as string);
      const values = [...defaults.matchAll(/`([^`]*)`/g)].map((m) => m[1] as string);
      if (values.length !== variables.length) continue; // a default said in words ("generated in development")
      variables.forEach((name, i) => {
        const actual = defaultOf(name);
        if (actual === undefined) differ.push(`${name}: not a variable`);
        else if (actual !== null && actual !== values[i])
          differ.push(`${name}: documented ${values[i]}, server ${actual}`);
      });
    }
    expect(differ).toEqual([]);
  });

  it('the limits the README names are the ones the server enforces by default', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      AUTH_SECRET: 'x'.repeat(40),
      ENCRYPTION_KEYS: `k:${'A'.repeat(43)}=`,
    });
    const readme = read('README.md');
    // "MAX_MESSAGE_CHARS … 32,000" style statements, wherever the README gives a number beside a variable.
    const stated = [...readme.matchAll(/`(MAX_[A-Z_]+)`[^.\n]{0,40}?\b(\d[\d,]*)\b/g)].map(([, name, n]) => ({
      name: name as string,
      value: Number((n as string).replaceAll(',', '')),
    }));
    const enforced: Record<string, number> = {
      MAX_MESSAGE_CHARS: config.chat.maxMessageChars,
      MAX_CONCURRENT_GENERATIONS: config.chat.maxConcurrentGenerations,
      MAX_STREAMS_PER_USER: config.chat.maxStreamsPerUser,
    };
    const wrong = stated.filter((s) => s.name in enforced && enforced[s.name] !== s.value);
    expect(wrong).toEqual([]);
    expect(Number(defaultOf('MAX_MESSAGE_CHARS'))).toBe(config.chat.maxMessageChars);
  });
});

describe('links', () => {
  it('relative links in the README and docs/ lead to files that exist', () => {
    const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
      f.endsWith('.md'),
    );
    const broken: string[] = [];
    for (const file of files) {
      for (const [, target] of read(file).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (!target || /^[a-z]+:/i.test(target)) continue;
        if (!existsSync(resolve(ROOT, dirname(file), target))) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the README points at the API reference and the guide', () => {
    const readme = read('README.md');
    expect(readme).toMatch(/\]\(docs\/guide\.md\)/);
    expect(existsSync(join(ROOT, 'docs/guide.md'))).toBe(true);
    expect(readme).not.toMatch(/project's `API\.md`/);
  });
});

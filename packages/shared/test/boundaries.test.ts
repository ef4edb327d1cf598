// Package boundaries: the shared package pulls no server code into a client bundle, and no workspace package
// depends on another in a cycle. Also: every script runs on the Node version the project targets.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { RouterInputs, RouterOutputs } from '../src/index.ts';
import { MAX_BATCH_SIZE } from '../src/index.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

function workspacePackages(): { name: string; deps: string[] }[] {
  return ['apps', 'packages'].flatMap((group) =>
    readdirSync(join(ROOT, group)).map((dir) => {
      const manifest = JSON.parse(readFileSync(join(ROOT, group, dir, 'package.json'), 'utf8'));
      const deps = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies });
      return { name: manifest.name as string, deps };
    }),
  );
}

/** A browser bundle of `lines` (imports resolved from this package): the files it took in, and its code. */
async function clientBundle(lines: string[], minify = false) {
  const result = await build({
    stdin: { contents: lines.join('\n'), resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    minify,
  });
  const serverOrPackages = Object.keys(result.metafile.inputs).filter(
    (i) => i.includes('apps/api') || i.includes('node_modules'),
  );
  return { serverOrPackages, code: result.outputFiles[0]?.text ?? '' };
}

describe('what works', () => {
  it('a client bundle of @parley/shared holds no server code', async () => {
    const { serverOrPackages, code } = await clientBundle([
      "import { MAX_BATCH_SIZE } from './src/index.ts'; console.log(MAX_BATCH_SIZE);",
    ]);
    expect(serverOrPackages).toEqual([]);
    expect(code).toContain(String(MAX_BATCH_SIZE));
    expect(code.length).toBeLessThan(500);
  });

  it('a client bundle of the shared error contract, limits and kinds holds no server code', async () => {
    const { serverOrPackages, code } = await clientBundle(
      [
        "import { errorDataOf, ERROR_CODES, MAX_NAME_CHARS, PROVIDER_KINDS } from './src/index.ts';",
        "import { APP_CODES } from '@parley/shared/errors';",
        "import { MAX_SYSTEM_PROMPT_CHARS } from '@parley/shared/limits';",
        "import { PROVIDER_KINDS as KINDS } from '@parley/shared/provider-kinds';",
        'console.log(errorDataOf(null), ERROR_CODES, MAX_NAME_CHARS, PROVIDER_KINDS, APP_CODES, MAX_SYSTEM_PROMPT_CHARS, KINDS);',
      ],
      true,
    );
    expect(serverOrPackages).toEqual([]);
    expect(code).toContain('CHAT_NOT_FOUND');
    expect(code.length).toBeLessThan(4000);
  });

  it('the server imports only the pure-data subpaths of @parley/shared; shared reaches the server for types only', () => {
    const files = (dir: string) =>
      readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((name) => /\.tsx?$/.test(name))
        .map((name) => ({ path: `${dir}/${name}`, text: readFileSync(join(ROOT, dir, name), 'utf8') }));
    // The root export carries the router's types: the server importing it would close a cycle through itself.
    const rootImports = files('apps/api/src').filter(({ text }) => /from '@parley\/shared'/.test(text));
    expect(rootImports.map((f) => f.path)).toEqual([]);
    const serverImports = files('packages/shared/src').flatMap(({ path, text }) =>
      [...text.matchAll(/^import(?! type ).*from '([^']*apps\/api[^']*)'/gm)].map((m) => `${path}: ${m[1]}`),
    );
    expect(serverImports).toEqual([]);
  });

  it('no workspace package depends on another in a cycle', () => {
    const packages = workspacePackages();
    const names = new Set(packages.map((p) => p.name));
    const edges = new Map(packages.map((p) => [p.name, p.deps.filter((d) => names.has(d))]));
    const visiting = new Set<string>();
    const done = new Set<string>();
    const cycles: string[] = [];
    const visit = (name: string, path: string[]) => {
      if (done.has(name)) return;
      if (visiting.has(name)) {
        cycles.push([...path, name].join(' → '));
        return;
      }
      visiting.add(name);
      for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of names) visit(name, []);
    expect(packages.length).toBeGreaterThanOrEqual(2);
    expect(cycles).toEqual([]);
  });

  it('router types reach clients through @parley/shared', () => {
    const input: RouterInputs['auth']['revokeSession'] = { sessionId: 'abc' };
    const output: RouterOutputs['auth']['revokeOtherSessions'] = { revoked: 2 };
    expect([input.sessionId, output.revoked]).toEqual(['abc', 2]);
  });

  it('runs on Node 24, the version the setup brings', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });
});

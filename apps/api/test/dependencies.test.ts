// docs/dependencies.md says why each direct dependency is there: each `## name (path)` section lists exactly the
// dependencies of that package.json, so adding or dropping one without a word there fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

function manifests(): Map<string, string[]> {
  const paths = [
    'package.json',
    ...['apps', 'packages'].flatMap((group) =>
      readdirSync(join(ROOT, group)).map((dir) => join(group, dir, 'package.json')),
    ),
  ];
  return new Map(
    paths.map((path) => {
      const manifest = JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Record<string, unknown>;
      const names = FIELDS.flatMap((field) => Object.keys((manifest[field] as object | undefined) ?? {}));
      return [manifest.name as string, names.sort()];
    }),
  );
}

/** Each `## name (…)` section's list items: "- `dependency`: why". */
function documented(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of readFileSync(join(ROOT, 'docs', 'dependencies.md'), 'utf8').split('\n')) {
    const heading = /^## (\S+) \(/.exec(line);
    if (heading?.[1]) {
      current = [];
      sections.set(heading[1], current);
    } else if (line.startsWith('## ')) {
      current = undefined;
    } else {
      const item = /^- `([^`]+)`: \S/.exec(line);
      if (item?.[1] && current) current.push(item[1]);
    }
  }
  for (const names of sections.values()) names.sort();
  return sections;
}

describe('what works', () => {
  it('docs/dependencies.md has a section for each package, listing exactly its direct dependencies', () => {
    const actual = manifests();
    const doc = documented();
    expect([...doc.keys()].sort()).toEqual([...actual.keys()].sort());
    for (const [name, dependencies] of actual) {
      expect({ package: name, listed: doc.get(name) }).toEqual({ package: name, listed: dependencies });
    }
  });
});

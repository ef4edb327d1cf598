// pnpm db:check — fails when the migration journal is out of order, or when the Drizzle schema has changes that no
// committed migration holds. (Drizzle's migrator silently skips an entry older than the last applied one.)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

/** Problems with the order and completeness of the journal in a migrations folder; empty when it is sound. */
export function journalProblems(folder: string): string[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as Journal;
  const problems: string[] = [];
  journal.entries.forEach((entry, position) => {
    if (entry.idx !== position) problems.push(`entry ${entry.tag} has idx ${entry.idx}, expected ${position}`);
    const previous = journal.entries[position - 1];
    if (previous && entry.when <= previous.when) {
      problems.push(`entry ${entry.tag} is not newer than ${previous.tag}: the migrator would skip it`);
    }
  });
  const tags = new Set(journal.entries.map((e) => e.tag));
  const files = readdirSync(folder).filter((f) => f.endsWith('.sql'));
  for (const file of files) {
    if (!tags.has(file.replace(/\.sql$/, ''))) problems.push(`${file} is not in the journal`);
  }
  for (const tag of tags) if (!files.includes(`${tag}.sql`)) problems.push(`journal entry ${tag} has no ${tag}.sql`);
  return problems;
}

/** Runs drizzle-kit generate into a scratch copy; returns the files it had to add (none when in sync). */
export function schemaDrift(packageDir: string): string[] {
  // drizzle-kit takes `out` relative to the package, so the scratch copy lives inside it (git-ignored).
  mkdirSync(join(packageDir, 'node_modules/.cache'), { recursive: true });
  const scratch = mkdtempSync(join(packageDir, 'node_modules/.cache/db-check-'));
  try {
    cpSync(join(packageDir, 'drizzle'), scratch, { recursive: true });
    const before = new Set(readdirSync(scratch));
    const result = spawnSync(process.execPath, [join(packageDir, 'node_modules/drizzle-kit/bin.cjs'), 'generate'], {
      cwd: packageDir,
      env: { ...process.env, DRIZZLE_OUT: relative(packageDir, scratch) },
      encoding: 'utf8',
    });
    const added = readdirSync(scratch).filter((f) => !before.has(f));
    // drizzle-kit can print an error and still exit 0: require its positive answer or a new migration.
    const inSync = /No schema changes/.test(result.stdout);
    if (result.status !== 0 || (!inSync && added.length === 0)) {
      throw new Error(`drizzle-kit generate failed:\n${result.stdout}${result.stderr}`);
    }
    return added;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const packageDir = new URL('..', import.meta.url).pathname;
  const problems = journalProblems(join(packageDir, 'drizzle'));
  const drift = schemaDrift(packageDir);
  if (drift.length > 0) {
    problems.push(`the schema has changes no migration holds (${drift.join(', ')}): run pnpm db:generate`);
  }
  if (problems.length > 0) {
    process.stderr.write(`Migrations are out of step:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write('migrations: journal in order, schema and migrations agree\n');
}

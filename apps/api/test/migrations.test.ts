// The committed migration journal is in order; an entry merged out of order is caught (the migrator would skip it).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalProblems } from '../scripts/check-migrations.ts';

const FOLDER = new URL('../drizzle', import.meta.url).pathname;

describe('what works', () => {
  it('the committed journal is in order and matches the SQL files', () => {
    expect(journalProblems(FOLDER)).toEqual([]);
  });
});

describe('what fails, and how', () => {
  it('reports an entry older than its predecessor and a SQL file missing from the journal', () => {
    const copy = mkdtempSync(join(tmpdir(), 'parley-journal-'));
    cpSync(FOLDER, copy, { recursive: true });
    const journalFile = join(copy, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    const first = journal.entries[0];
    journal.entries.push({ ...first, idx: journal.entries.length, when: first.when - 1000, tag: '0001_late_merge' });
    writeFileSync(journalFile, JSON.stringify(journal));
    writeFileSync(join(copy, '0001_late_merge.sql'), 'select 1;');
    writeFileSync(join(copy, '0002_orphan.sql'), 'select 1;');
    const problems = journalProblems(copy);
    expect(problems).toContainEqual(expect.stringMatching(/0001_late_merge is not newer than .*skip/));
    expect(problems).toContainEqual('0002_orphan.sql is not in the journal');
  });
});

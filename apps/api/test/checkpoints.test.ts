// Checkpoints of live replies (src/modules/replies/checkpoints.ts): one statement per tick for every changed reply,
// only the new text appended, text that is whole UTF-8 at every checkpoint, and a crash that loses at most one tick.
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeInterruptedReplies } from '../src/modules/replies/index.ts';
import { message as messageTable } from '../src/shared/db/schema/index.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';

let h: Harness;
let ada: SignedIn;
let providerId: string;

beforeAll(async () => {
  // A tick far in the future: each test runs the flush loop by hand, so nothing here depends on timing.
  h = await createHarness({ CHECKPOINT_INTERVAL_MS: '60000', MAX_CONCURRENT_GENERATIONS: '10' });
  ada = await h.signUp('ada@checkpoints.example');
  const provider = await (await h.caller(ada.headers)).providers.create({
    kind: 'openai-compatible',
    name: 'Mock',
    baseUrl: 'http://localhost:9/v1',
    defaultModel: 'mock-model',
  });
  providerId = provider.id;
});
afterAll(async () => {
  await h.close();
});

async function hangingReply(deltas: string[]) {
  h.useModel(mockModel({ deltas, hang: true }));
  const api = await h.caller(ada.headers);
  const chat = await api.chat.create({ providerId, title: 'Checkpoints' });
  const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'talk' });
  await expect
    .poll(() => h.replies.engine.snapshot(assistantMessage.id)?.text)
    .toBe(deltas.join('').replaceAll('\0', '\ufffd'));
  return assistantMessage.id;
}

async function storedText(id: string) {
  const [row] = await h.db.select({ text: messageTable.text }).from(messageTable).where(eq(messageTable.id, id));
  return row?.text;
}

describe('what works', () => {
  it('one tick writes every changed reply in one statement, appending only what is new, with no read-back', async () => {
    const ids: string[] = [];
    for (const deltas of [['one ', 'two'], ['un'], ['eins ', 'zwei ', 'drei']]) ids.push(await hangingReply(deltas));
    h.queries.length = 0;
    await h.replies.checkpoints.flush();
    expect(h.queries).toHaveLength(1);
    expect(h.queries[0]).toMatch(/^\s*update "message" as m set text = m.text \|\| v.delta/);
    expect(h.queries[0]).not.toMatch(/returning m\.\*|returning \*/);
    expect(await Promise.all(ids.map(storedText))).toEqual(['one two', 'un', 'eins zwei drei']);
    // Nothing new: the next tick writes nothing at all.
    h.queries.length = 0;
    await h.replies.checkpoints.flush();
    expect(h.queries).toHaveLength(0);
    await Promise.all(ids.map((id) => h.replies.engine.stop(id)));
  });

  it('a surrogate pair cut between two deltas is never stored half: the checkpoint holds it back', async () => {
    const id = await hangingReply(['café ', '\ud83e']);
    await h.replies.checkpoints.flush();
    expect(await storedText(id)).toBe('café ');
    await h.replies.engine.stop(id);
    // The pair never completed: the final write stores the lone half as U+FFFD, whole UTF-8.
    expect(await storedText(id)).toBe('café \ufffd');
  });

  it('a row changed behind the loop is rewritten whole, never appended to', async () => {
    h.useModel(mockModel({ deltas: ['first ', 'second ', 'third'], delayMs: 150, hang: true }));
    const api = await h.caller(ada.headers);
    const chat = await api.chat.create({ providerId, title: 'Rewrite' });
    const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'talk' });
    const id = assistantMessage.id;
    const live = () => h.replies.engine.snapshot(id)?.text ?? '';
    await expect.poll(live).toBe('first ');
    await h.replies.checkpoints.flush();
    await h.db.update(messageTable).set({ text: 'garbage' }).where(eq(messageTable.id, id));
    await expect.poll(live).toBe('first second ');
    await h.replies.checkpoints.flush(); // the append finds the row elsewhere than expected: nothing written
    expect(await storedText(id)).toBe('garbage');
    await h.replies.checkpoints.flush(); // the whole text instead
    expect('first second third'.startsWith((await storedText(id)) ?? 'x')).toBe(true);
    expect(await storedText(id)).toMatch(/^first second /);
    await h.replies.engine.stop(id);
  });
});

describe('a crash loses at most one tick', () => {
  it('a reply whose process died is closed as interrupted with the text of its last checkpoint', async () => {
    const id = await hangingReply(['everything ', 'before ', 'the ', 'crash']);
    await h.replies.checkpoints.flush();
    // The process "dies" now: nothing more is written by it, and recovery closes what it left streaming.
    expect(await closeInterruptedReplies(h.db, { ...h.config.chat, staleGenerationMs: -60_000 })).toBeGreaterThan(0);
    const [row] = await h.db
      .select()
      .from(messageTable)
      .where(inArray(messageTable.id, [id]));
    expect(row).toMatchObject({
      status: 'error',
      text: 'everything before the crash',
      parts: [{ type: 'text', text: 'everything before the crash' }],
      error: expect.stringMatching(/interrupted/),
    });
    await h.replies.engine.stop(id); // the "dead" engine's final write finds the reply closed and changes nothing
    const [after] = await h.db.select().from(messageTable).where(eq(messageTable.id, id));
    expect(after?.status).toBe('error');
  });
});

describe('what a provider sends cannot stop the loop', () => {
  it('a NUL from a provider is stored as U+FFFD, and the other live replies keep their checkpoints', async () => {
    const quiet = await hangingReply(['plain text']);
    const hostile = await hangingReply(['bad\u0000byte ']);
    await h.replies.checkpoints.flush();
    expect(await storedText(quiet)).toBe('plain text');
    expect(await storedText(hostile)).toBe('bad\ufffdbyte ');
    const stopped = await h.replies.engine.stop(hostile);
    expect(stopped).toMatchObject({ status: 'stopped', text: 'bad\ufffdbyte ' });
    await h.replies.engine.stop(quiet);
  });
});

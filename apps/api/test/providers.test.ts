// providers.* through createCaller, against a real database: CRUD, validation, isolation, keys at rest, rotation.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateProviderKeys } from '../src/modules/providers/index.ts';
import { decryptApiKey } from '../src/modules/providers/keys.ts';
import { loadTarget } from '../src/modules/providers/service.ts';
import { provider } from '../src/shared/db/schema/index.ts';
import { parseKeyring } from '../src/shared/lib/keyring.ts';
import { TEST_ENV } from './helpers/config.ts';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';

const OPENAI_KEY = 'sk-test-4f1b9c2d7e8a3f9a';
const PROVIDER_FIELDS = [
  'apiKeyHint',
  'baseUrl',
  'createdAt',
  'defaultModel',
  'id',
  'kind',
  'name',
  'prices',
  'updatedAt',
];

let h: Harness;
let ada: SignedIn;
let bob: SignedIn;
beforeAll(async () => {
  h = await createHarness();
  ada = await h.signUp('ada@providers.example');
  bob = await h.signUp('bob@providers.example');
});
afterAll(async () => {
  await h.close();
});

const as = (user: SignedIn) => h.caller(user.headers);

describe('what works', () => {
  it('kinds lists every kind with what it needs, to anyone', async () => {
    const kinds = await (await h.caller()).providers.kinds();
    expect(kinds.map((k) => k.kind)).toEqual(['openai', 'anthropic', 'google', 'openai-compatible']);
    expect(kinds.find((k) => k.kind === 'openai-compatible')).toMatchObject({ needsApiKey: false, needsBaseUrl: true });
    expect(kinds.every((k) => k.suggestedModels.length > 0)).toBe(true);
  });

  it('create, list, get, update and delete, with the key shown only as its hint', async () => {
    const api = await as(ada);
    const created = await api.providers.create({ kind: 'openai', name: 'Work', apiKey: OPENAI_KEY });
    expect(Object.keys(created).sort()).toEqual(PROVIDER_FIELDS);
    expect(created).toMatchObject({ kind: 'openai', name: 'Work', baseUrl: null, apiKeyHint: 'sk-…3f9a' });

    expect(await api.providers.get({ id: created.id })).toEqual(created);
    expect((await api.providers.list()).map((p) => p.id)).toContain(created.id);

    const renamed = await api.providers.update({ id: created.id, name: 'Work (GPT)', defaultModel: 'gpt-5-mini' });
    expect(renamed).toMatchObject({ name: 'Work (GPT)', defaultModel: 'gpt-5-mini', apiKeyHint: 'sk-…3f9a' });
    expect(renamed.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());

    const rekeyed = await api.providers.update({ id: created.id, apiKey: 'sk-proj-new-key-0000aaaa7777' });
    expect(rekeyed.apiKeyHint).toBe('sk-…7777');

    expect(await api.providers.delete({ id: created.id })).toEqual({ id: created.id });
    const gone = await rejection(api.providers.get({ id: created.id }));
    expect(appErrorOf(gone)?.code).toBe('PROVIDER_NOT_FOUND');
  });

  it('an OpenAI-compatible provider needs only a base URL; a local one is allowed outside production', async () => {
    const api = await as(ada);
    const local = await api.providers.create({
      kind: 'openai-compatible',
      name: 'Ollama',
      baseUrl: 'http://localhost:11434/v1/',
    });
    expect(local).toMatchObject({ baseUrl: 'http://localhost:11434/v1', apiKeyHint: null });
    const withKey = await api.providers.update({ id: local.id, apiKey: 'gsk_short' });
    expect(withKey.apiKeyHint).toBe('…rt');
    expect((await api.providers.update({ id: local.id, apiKey: null })).apiKeyHint).toBeNull();
  });
});

describe('what fails, and how', () => {
  it.each([
    [{ kind: 'mystery', name: 'x', apiKey: 'k' }, 'kind'],
    [{ kind: 'openai', name: '', apiKey: 'k' }, 'name'],
    [{ kind: 'openai', name: 'x', apiKey: 'k', baseUrl: 'ftp://files.example.com' }, 'baseUrl'],
  ])('schema refuses %j naming %s', async (input, field) => {
    const error = await rejection((await as(ada)).providers.create(input as never));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain(field);
  });

  it.each([
    [{ kind: 'openai', name: 'No key' }, 'apiKey', /apiKey is required for OpenAI/],
    [{ kind: 'openai-compatible', name: 'No URL' }, 'baseUrl', /baseUrl is required/],
    [{ kind: 'openai', name: 'Meta', apiKey: 'k', baseUrl: 'http://169.254.169.254/v1' }, 'baseUrl', /metadata/],
    [{ kind: 'openai', name: 'LAN', apiKey: 'k', baseUrl: 'http://10.1.2.3/v1' }, 'baseUrl', /private address/],
    [{ kind: 'openai', name: 'LL', apiKey: 'k', baseUrl: 'http://[fe80::1]/v1' }, 'baseUrl', /link-local/],
    [
      { kind: 'openai', name: 'Nowhere', apiKey: 'k', baseUrl: 'http://no-such-host.invalid/v1' },
      'baseUrl',
      /does not resolve/,
    ],
  ])('refuses %j as a validation error on %s', async (input, field, message) => {
    const error = await rejection((await as(ada)).providers.create(input as never));
    expect(error.code).toBe('BAD_REQUEST');
    const appError = appErrorOf(error);
    expect(appError?.code).toBe('VALIDATION_FAILED');
    expect(appError?.field).toBe(field);
    expect(appError?.message).toMatch(message);
  });

  it('a second provider with the same name is a conflict, and the first is untouched', async () => {
    const api = await as(ada);
    const first = await api.providers.create({ kind: 'anthropic', name: 'Claude', apiKey: 'sk-ant-aaaa1111bbbb2222' });
    const error = await rejection(api.providers.create({ kind: 'anthropic', name: 'Claude', apiKey: 'other' }));
    expect(error.code).toBe('CONFLICT');
    expect(appErrorOf(error)?.code).toBe('PROVIDER_NAME_TAKEN');
    expect(await api.providers.get({ id: first.id })).toEqual(first);
  });

  it('removing the key of a kind that needs one is refused', async () => {
    const api = await as(ada);
    const created = await api.providers.create({ kind: 'google', name: 'Gemini', apiKey: 'AIza-test-key-123456' });
    const error = await rejection(api.providers.update({ id: created.id, apiKey: null }));
    expect(appErrorOf(error)?.field).toBe('apiKey');
    expect((await api.providers.get({ id: created.id })).apiKeyHint).toBe(created.apiKeyHint);
  });
});

describe('who may not', () => {
  it("another user gets NOT_FOUND for the first user's provider on every procedure that takes an id", async () => {
    const owned = await (await as(ada)).providers.create({ kind: 'openai', name: 'Private', apiKey: OPENAI_KEY });
    const intruder = await as(bob);
    const calls = {
      get: () => intruder.providers.get({ id: owned.id }),
      update: () => intruder.providers.update({ id: owned.id, name: 'Stolen' }),
      delete: () => intruder.providers.delete({ id: owned.id }),
      test: () => intruder.providers.test({ id: owned.id }),
      models: () => intruder.providers.models({ id: owned.id }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const error = await rejection(call());
      expect([name, error.code]).toEqual([name, 'NOT_FOUND']);
    }
    expect(await intruder.providers.list()).toEqual([]);
    expect(await (await as(ada)).providers.get({ id: owned.id })).toEqual(owned);
  });
});

describe('keys at rest', () => {
  async function rawRow(id: string) {
    const [row] = await h.db.select().from(provider).where(eq(provider.id, id));
    if (!row) throw new Error('no row');
    return row;
  }

  it('no stored row contains the plaintext key', async () => {
    const created = await (await as(ada)).providers.create({ kind: 'openai', name: 'At rest', apiKey: OPENAI_KEY });
    const rows = await h.db.execute(sql`select * from provider`);
    expect(JSON.stringify(rows)).not.toContain(OPENAI_KEY);
    expect(JSON.stringify(rows)).not.toContain(Buffer.from(OPENAI_KEY).toString('base64'));
    const row = await rawRow(created.id);
    expect(row.keyId).toBe('test1');
    expect(Buffer.from(row.keyIv as string, 'base64')).toHaveLength(12);
    expect(Buffer.from(row.keyTag as string, 'base64')).toHaveLength(16);
    expect(decryptApiKey(h.config.encryptionKeys, row)).toBe(OPENAI_KEY);
  });

  it('the same key encrypts differently each time (fresh IV)', async () => {
    const api = await as(ada);
    const a = await rawRow((await api.providers.create({ kind: 'openai', name: 'IV a', apiKey: OPENAI_KEY })).id);
    const b = await rawRow((await api.providers.create({ kind: 'openai', name: 'IV b', apiKey: OPENAI_KEY })).id);
    expect(a.keyIv).not.toBe(b.keyIv);
    expect(a.keyCiphertext).not.toBe(b.keyCiphertext);
  });

  it('one changed byte of ciphertext or tag, or another owner, makes decryption fail', async () => {
    const created = await (await as(ada)).providers.create({ kind: 'openai', name: 'Tamper', apiKey: OPENAI_KEY });
    const row = await rawRow(created.id);
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = (bytes[0] as number) ^ 1;
      return bytes.toString('base64');
    };
    const keyring = h.config.encryptionKeys;
    expect(() => decryptApiKey(keyring, { ...row, keyCiphertext: flip(row.keyCiphertext as string) })).toThrow(
      /authentication failed/,
    );
    expect(() => decryptApiKey(keyring, { ...row, keyTag: flip(row.keyTag as string) })).toThrow(
      /authentication failed/,
    );
    expect(() => decryptApiKey(keyring, { ...row, userId: bob.userId })).toThrow(/another owner/);
    expect(() => decryptApiKey(keyring, { ...row, keyId: 'gone' })).toThrow(/no key "gone"/);

    // Through the API: a row copied to another user fails loudly (internal error), never as an empty key.
    const copyId = crypto.randomUUID();
    await h.db.insert(provider).values({ ...row, id: copyId, userId: bob.userId, name: 'Copied' });
    const error = await rejection((await as(bob)).providers.test({ id: copyId }));
    expect(error.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.message).toMatch(/could not be decrypted/); // in the log; the client sees a generic message
  });
});

describe('rotation', () => {
  it('keys written under key A read back after rotating to key B with A removed', async () => {
    const api = await as(bob);
    const keys = Array.from({ length: 5 }, (_, i) => `sk-rotate-${i}-abcdefgh12345678`);
    const ids: string[] = [];
    for (const [i, apiKey] of keys.entries()) {
      ids.push((await api.providers.create({ kind: 'openai', name: `Rotate ${i}`, apiKey })).id);
    }
    const keyB = Buffer.alloc(32, 9).toString('base64');
    const both = parseKeyring(`test2:${keyB},${TEST_ENV.ENCRYPTION_KEYS}`);
    const progress: number[] = [];
    const result = await rotateProviderKeys({
      db: h.db,
      keyring: both,
      batchSize: 2,
      onProgress: (p) => progress.push(p.remaining),
    });
    expect(result.rotated).toBeGreaterThanOrEqual(5);
    // The row copied to another owner above cannot be decrypted: it is reported and left, the rest go on.
    expect(result.failed).toHaveLength(1);
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeGreaterThanOrEqual(3);

    const onlyB = parseKeyring(`test2:${keyB}`);
    for (const [i, id] of ids.entries()) {
      const { target } = await loadTarget(h.db, onlyB, bob.userId, id);
      expect(target.apiKey).toBe(keys[i]);
    }
    const onlyA = parseKeyring(TEST_ENV.ENCRYPTION_KEYS);
    await expect(loadTarget(h.db, onlyA, bob.userId, ids[0] as string)).rejects.toThrow(/no key "test2"/);

    // Resumable and idempotent: a second run finds nothing left to do.
    expect((await rotateProviderKeys({ db: h.db, keyring: both })).rotated).toBe(0);
  });
});

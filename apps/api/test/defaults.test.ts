// Defaults that just work: the first provider becomes the default, the only provider is used, deleting the default
// picks another or clears it, a chat whose provider is gone goes on with the default. Real router, real database,
// the AI SDK's mock model (which records the model id each reply was asked of).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const as = (user: SignedIn) => h.caller(user.headers);
type Api = Awaited<ReturnType<typeof as>>;

const addProvider = (api: Api, name: string, defaultModel = `${name.toLowerCase()}-model`) =>
  api.providers.create({ kind: 'openai-compatible', name, baseUrl: 'http://localhost:9/v1', defaultModel });

async function settled(api: Api, messageId: string) {
  const iterable = (await api.chat.stream({ messageId })) as AsyncIterable<[string, { type: string }]>;
  for await (const [, data] of iterable) if (data.type !== 'text-delta') return data;
  return undefined;
}

async function send(api: Api, chatId: string, input: { providerId?: string; model?: string } = {}) {
  h.useModel(mockModel({ deltas: ['ok'] }));
  const sent = await api.chat.send({ chatId, text: 'hello', ...input });
  await settled(api, sent.assistantMessage.id);
  return sent.assistantMessage;
}

describe('what works', () => {
  it("a user's first provider becomes the default; a chat that names none uses it", async () => {
    const user = await h.signUp('first@defaults.example');
    const api = await as(user);
    expect((await api.users.me()).preferences.defaultProviderId).toBeNull();
    const first = await addProvider(api, 'First');
    expect((await api.users.me()).preferences.defaultProviderId).toBe(first.id);
    await addProvider(api, 'Second');
    expect((await api.users.me()).preferences.defaultProviderId).toBe(first.id);

    const chat = await api.chat.create({});
    const reply = await send(api, chat.id);
    expect(reply).toMatchObject({ providerId: first.id, model: 'first-model' });
  });

  it('with no default set, the only provider (else the oldest) is used: NO_PROVIDER only without any', async () => {
    const user = await h.signUp('only@defaults.example');
    const api = await as(user);
    const only = await addProvider(api, 'Only');
    await api.users.updatePreferences({ defaultProviderId: null });
    const chat = await api.chat.create({});
    expect(await send(api, chat.id)).toMatchObject({ providerId: only.id, model: 'only-model' });
    // A provider added while no default is set becomes the default; cleared again, the oldest is used.
    const later = await addProvider(api, 'Later');
    expect((await api.users.me()).preferences.defaultProviderId).toBe(later.id);
    await api.users.updatePreferences({ defaultProviderId: null });
    expect(await send(api, chat.id)).toMatchObject({ providerId: only.id, model: 'only-model' });
  });

  it('deleting the default makes the oldest remaining provider the default, and the last one leaves none', async () => {
    const user = await h.signUp('delete@defaults.example');
    const api = await as(user);
    const a = await addProvider(api, 'A');
    const b = await addProvider(api, 'B');
    const c = await addProvider(api, 'C');
    await api.users.updatePreferences({ defaultProviderId: c.id, defaultModel: 'c-special' });
    // Deleting a provider that is not the default changes nothing.
    await api.providers.delete({ id: a.id });
    expect((await api.users.me()).preferences).toMatchObject({ defaultProviderId: c.id, defaultModel: 'c-special' });
    await api.providers.delete({ id: c.id });
    expect((await api.users.me()).preferences).toMatchObject({ defaultProviderId: b.id, defaultModel: null });
    await api.providers.delete({ id: b.id });
    expect((await api.users.me()).preferences.defaultProviderId).toBeNull();

    const chat = await api.chat.create({});
    const error = await rejection(api.chat.send({ chatId: chat.id, text: 'anyone?' }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(appErrorOf(error)?.code).toBe('NO_PROVIDER');
    expect((await api.chat.history({ chatId: chat.id })).items).toEqual([]);
  });

  it("a chat whose provider was deleted stays readable and goes on with the user's default", async () => {
    const user = await h.signUp('gone@defaults.example');
    const api = await as(user);
    const main = await addProvider(api, 'Main');
    const other = await addProvider(api, 'Other');
    const chat = await api.chat.create({ providerId: other.id });
    expect(await send(api, chat.id)).toMatchObject({ providerId: other.id, model: 'other-model' });
    await api.providers.delete({ id: other.id });

    const after = await api.chat.get({ id: chat.id });
    expect(after.providerId).toBeNull();
    expect(after.notice).toBe('Provider "Other" was deleted: this chat goes on with your default provider.');
    expect((await api.chat.list({})).items.find((c) => c.id === chat.id)?.notice).toBe(after.notice);
    const history = await api.chat.history({ chatId: chat.id });
    expect(history.items.map((m) => [m.role, m.providerId])).toEqual([
      ['user', null],
      ['assistant', null],
    ]);
    expect(await send(api, chat.id)).toMatchObject({ providerId: main.id, model: 'main-model' });
    // Another chat never had that provider: no notice. Choosing a provider for the chat answers its notice.
    expect((await api.chat.create({})).notice).toBeNull();
    expect((await api.chat.update({ id: chat.id, providerId: main.id })).notice).toBeNull();
  });

  it("a chat's model applies with the default provider; a call's provider and model win", async () => {
    const user = await h.signUp('models@defaults.example');
    const api = await as(user);
    const main = await addProvider(api, 'Main');
    const other = await addProvider(api, 'Other');
    const chat = await api.chat.create({ model: 'chosen-model' });
    expect(await send(api, chat.id)).toMatchObject({ providerId: main.id, model: 'chosen-model' });
    expect(await send(api, chat.id, { providerId: other.id })).toMatchObject({
      providerId: other.id,
      model: 'other-model',
    });
    expect(await send(api, chat.id, { providerId: other.id, model: 'x-1' })).toMatchObject({
      providerId: other.id,
      model: 'x-1',
    });
  });
});

describe('what fails, and how', () => {
  it('a user without any provider gets NO_PROVIDER and nothing is stored', async () => {
    const user = await h.signUp('none@defaults.example');
    const api = await as(user);
    const chat = await api.chat.create({});
    const error = await rejection(api.chat.send({ chatId: chat.id, text: 'hello?' }));
    expect(appErrorOf(error)?.code).toBe('NO_PROVIDER');
    expect((await api.chat.messages({ chatId: chat.id })).items).toEqual([]);
  });
});

describe('who may not', () => {
  it("another user's provider never becomes a default, and deleting it is NOT_FOUND", async () => {
    const ada = await h.signUp('ada@defaults.example');
    const bob = await h.signUp('bob@defaults.example');
    const adas = await addProvider(await as(ada), 'Ada');
    const bobApi = await as(bob);
    const error = await rejection(bobApi.providers.delete({ id: adas.id }));
    expect(error.code).toBe('NOT_FOUND');
    const prefError = await rejection(bobApi.users.updatePreferences({ defaultProviderId: adas.id }));
    expect(prefError.code).toBe('NOT_FOUND');
    expect((await bobApi.users.me()).preferences.defaultProviderId).toBeNull();
    expect((await (await as(ada)).users.me()).preferences.defaultProviderId).toBe(adas.id);
  });
});

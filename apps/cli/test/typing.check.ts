// Compile-time proof that the CLI's client is typed end to end by the server's router (never run; `tsc` checks it).
//
// Every `@ts-expect-error` below marks a line that must NOT compile. If typing broke — say AppRouter became `any`,
// or @parley/shared stopped resolving to the real router — those lines would compile, the directives would be
// unused, and `tsc` would fail with "Unused '@ts-expect-error' directive". The positive lines fail the other way
// round: they only compile while the real fields exist with the real types.
import { apiKeyClient } from '../src/client.ts';

export async function typingCheck(): Promise<void> {
  const client = apiKeyClient('http://127.0.0.1:3000', 'parley_key');

  // @ts-expect-error chatId must be a string, and text is required
  await client.chat.send.mutate({ chatId: 123 });
  // @ts-expect-error text is required
  await client.chat.send.mutate({ chatId: 'c1' });
  // @ts-expect-error kind is a closed set
  await client.providers.create.mutate({ kind: 'not-a-kind', name: 'x' });
  // @ts-expect-error there is no such procedure
  await client.providers.rename.mutate({ id: 'p1' });

  const provider = await client.providers.get.query({ id: 'p1' });
  // @ts-expect-error the provider's API key never leaves the server: no such field
  void provider.apiKey;
  const hint: string | null = provider.apiKeyHint;
  const createdAt: Date = provider.createdAt; // superjson: a real Date
  // @ts-expect-error createdAt is a Date, not a string
  const asString: string = provider.createdAt;

  const sent = await client.chat.send.mutate({ chatId: 'c1', text: 'Hello', clientRequestId: 'r1' });
  const status: 'pending' | 'streaming' | 'complete' | 'stopped' | 'error' = sent.assistantMessage.status;
  // @ts-expect-error status is a closed set
  const wrongStatus: 'done' = sent.assistantMessage.status;

  const tested = await client.providers.test.mutate({ id: 'p1' });
  const models: string[] = tested.models;
  const ok: boolean = tested.ok;

  const me = await client.users.me.query();
  const role: 'user' | 'admin' = me.role;
  const defaultProvider: string | null = me.preferences.defaultProviderId;

  client.chat.stream.subscribe(
    { messageId: sent.assistantMessage.id, lastEventId: '12' },
    {
      onData: ({ id, data }) => {
        const trackedId: string = id;
        if (data.type === 'text-delta') {
          const delta: string = data.delta;
          void [trackedId, delta];
        } else {
          const finalStatus: string = data.message.status;
          // @ts-expect-error a final event has no delta
          void data.delta;
          void finalStatus;
        }
      },
    },
  );

  void [hint, createdAt, asString, status, wrongStatus, models, ok, role, defaultProvider];
}

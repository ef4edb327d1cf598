// pnpm fake-provider — the fake OpenAI-compatible provider the tests use (packages/testkit), on a fixed port, for
// demos and local work without an AI account: the demo account of `pnpm db:seed` chats with it. Ctrl-C stops it.
import { startFakeProvider } from '@parley/testkit';

const port = Number(process.env.FAKE_PROVIDER_PORT ?? 11435);
const fake = await startFakeProvider({ port }).catch((error: NodeJS.ErrnoException) => {
  process.stderr.write(
    `fake-provider: cannot listen on 127.0.0.1:${port} (${error.code ?? error.message}); set FAKE_PROVIDER_PORT\n`,
  );
  process.exit(1);
});
fake.delayMs = 40;
fake.reply = 'Hello from the fake provider. It answers every question with these words, one at a time.';
process.stdout.write(`fake provider at ${fake.baseUrl} (models ${fake.models.join(', ')}); Ctrl-C stops it\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void fake.close().then(() => process.exit(0));
  });
}

// The tests' fake AI provider (OpenAI wire protocol) in a process of its own. Prints its base URL when listening.
// Env: FAKE_WORDS (words in every reply), FAKE_DELAY_MS (pause before each streamed chunk).
import { startFakeProvider } from '@parley/testkit';
import { replyText } from '../lib/reply.ts';

const fake = await startFakeProvider();
fake.reply = replyText(Number(process.env.FAKE_WORDS ?? 8));
fake.delayMs = Number(process.env.FAKE_DELAY_MS ?? 0);
// Keeps no record of requests: at thousands of replies the list would only grow.
Object.defineProperty(fake, 'seen', { get: () => [], set: () => {} });
process.stdout.write(`${JSON.stringify({ baseUrl: fake.baseUrl })}\n`);
// FAKE_REPORT_ABANDONED=1: a line with the time (ms since the epoch, sub-ms) each time a client ends a stream early
// (P6: when a stop reached the provider).
if (process.env.FAKE_REPORT_ABANDONED === '1') {
  let abandoned = 0;
  Object.defineProperty(fake, 'abandoned', {
    get: () => abandoned,
    set(value: number) {
      abandoned = value;
      process.stdout.write(`abandoned ${performance.timeOrigin + performance.now()}\n`);
    },
  });
}

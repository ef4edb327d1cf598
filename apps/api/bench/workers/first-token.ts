// P3a's client, in a process of its own: time from the call to the first text delta, through Parley (send to first
// delta at this client) and straight from the fake provider through the AI SDK, alternating run by run.
// Input (argv[2], JSON): { base, apiKey, chatId, providerUrl, runs, warmup, oneRequest }.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { benchClient, sendAndFollow } from '../lib/client.ts';

interface Input {
  base: string;
  apiKey: string;
  chatId: string;
  providerUrl: string;
  runs: number;
  warmup: number;
  oneRequest: boolean;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const api = benchClient(input.base, { 'x-api-key': input.apiKey });
const model = createOpenAICompatible({ name: 'direct', baseURL: input.providerUrl, apiKey: 'sk-bench' }).chatModel(
  'fake-large',
);

/** The provider called directly: what any client of it waits for the first token. */
async function direct(): Promise<number> {
  const started = performance.now();
  let first = Number.NaN;
  const result = streamText({ model, prompt: 'hi' });
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta' && Number.isNaN(first)) first = performance.now() - started;
  }
  return first;
}

/** Through Parley: the reply is followed to its final event before the next run (the per-user limit). */
async function throughParley(): Promise<number> {
  const started = performance.now();
  let first = Number.NaN;
  await sendAndFollow(api, input.oneRequest, { chatId: input.chatId, text: 'hi' }, (_id, event) => {
    if (event.type === 'text-delta' && Number.isNaN(first)) first = performance.now() - started;
    return event.type === 'finish' || event.type === 'error';
  });
  return first;
}

const directTimes: number[] = [];
const parleyTimes: number[] = [];
for (let run = 0; run < input.warmup + input.runs; run++) {
  const a = await direct();
  const b = await throughParley();
  if (run < input.warmup) continue;
  directTimes.push(a);
  parleyTimes.push(b);
}
process.stdout.write(`${JSON.stringify({ directTimes, parleyTimes })}\n`);
process.exit(0);

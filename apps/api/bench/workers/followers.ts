// P3b's clients, several of these processes at once: each starts its share of the replies, evenly over the ramp,
// and follows every one over SSE to its final event, checking that the text arrives whole and in order (a delta's
// event id is the length of the text so far). Prints a progress line every second and a result line at the end.
// Input (argv[2], JSON): { base, oneRequest, expected, rampMs, deadlineMs, jobs: { apiKey, chatId }[] }.
import { benchClient, type ReplyEvent, sendAndFollow } from '../lib/client.ts';

interface Input {
  base: string;
  oneRequest: boolean;
  expected: string;
  rampMs: number;
  deadlineMs: number;
  jobs: { apiKey: string; chatId: string }[];
}

interface Reply {
  text: string;
  ordered: boolean;
  live: boolean;
  done: boolean;
  error?: string;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const clients = new Map<string, ReturnType<typeof benchClient>>();
const clientFor = (apiKey: string) => {
  let client = clients.get(apiKey);
  if (!client) {
    client = benchClient(input.base, { 'x-api-key': apiKey });
    clients.set(apiKey, client);
  }
  return client;
};

const replies: Reply[] = [];

function record(reply: Reply, id: string, event: ReplyEvent): boolean {
  if (event.type === 'text-delta') {
    reply.live = true;
    reply.text += event.delta ?? '';
    if (id !== String(reply.text.length) || !input.expected.startsWith(reply.text)) reply.ordered = false;
    return false;
  }
  reply.live = false;
  reply.done = true;
  if (event.type === 'error') {
    const why = (event as { message?: { error?: string | null } }).message?.error;
    reply.error = `the reply ended in error${why ? `: ${why.slice(0, 120)}` : ''}`;
  }
  return true;
}

async function run(job: Input['jobs'][number], index: number) {
  const reply: Reply = { text: '', ordered: true, live: false, done: false };
  replies.push(reply);
  try {
    await sendAndFollow(
      clientFor(job.apiKey),
      input.oneRequest,
      { chatId: job.chatId, text: `reply ${index}` },
      (id, e) => record(reply, id, e),
    );
  } catch (error) {
    reply.live = false;
    reply.error = (error as Error).message;
  }
}

const started = performance.now();
const gap = input.jobs.length > 1 ? input.rampMs / input.jobs.length : 0;
const running = input.jobs.map(
  (job, index) => new Promise<void>((resolve) => setTimeout(() => void run(job, index).finally(resolve), index * gap)),
);

const count = () => ({
  started: replies.length,
  live: replies.filter((r) => r.live).length,
  finished: replies.filter((r) => r.done || r.error).length,
});
const progress = setInterval(() => process.stdout.write(`${JSON.stringify({ progress: true, ...count() })}\n`), 1_000);
const deadline = new Promise<void>((resolve) => setTimeout(resolve, input.deadlineMs - (performance.now() - started)));
await Promise.race([Promise.all(running), deadline]);
clearInterval(progress);

const errors = replies.filter((r) => r.error).map((r) => r.error as string);
process.stdout.write(
  `${JSON.stringify({
    replies: input.jobs.length,
    complete: replies.filter((r) => r.done && !r.error && r.text === input.expected).length,
    missingText: replies.filter((r) => r.done && !r.error && r.text !== input.expected && r.ordered).length,
    reordered: replies.filter((r) => !r.ordered).length,
    unfinished: input.jobs.length - replies.filter((r) => r.done || r.error).length,
    errors: errors.length,
    errorSamples: [...new Set(errors)].slice(0, 3),
  })}\n`,
);
process.exit(0);

// P6's client, in a process of its own: (1) a reply sent on server A is followed on A (its owner) and on B at once,
// and each delta's arrival is timed on both; (2) a reply A writes is stopped through B, and the time the stop was sent
// is reported (the fake provider reports when its stream was ended).
// Input (argv[2], JSON): { baseA, baseB, apiKey, chatId, runs, stopRuns }.
import { benchClient, type ReplyEvent } from '../lib/client.ts';

interface Input {
  baseA: string;
  baseB: string;
  apiKey: string;
  chatId: string;
  runs: number;
  stopRuns: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const headers = { 'x-api-key': input.apiKey };
const onA = benchClient(input.baseA, headers);
const onB = benchClient(input.baseB, headers);
const now = () => performance.timeOrigin + performance.now();

/** Follows a reply, timing each event by id, until its final event (or `take` deltas). */
function follow(api: typeof onA, messageId: string, take = Number.POSITIVE_INFINITY) {
  const times = new Map<string, number>();
  return new Promise<Map<string, number>>((resolve, reject) => {
    let deltas = 0;
    const subscription = api.chat.stream.subscribe(
      { messageId },
      {
        onData({ id, data }: { id: string; data: ReplyEvent }) {
          times.set(id, now());
          if (data.type === 'text-delta') deltas++;
          if (data.type !== 'text-delta' || deltas >= take) {
            subscription.unsubscribe();
            resolve(times);
          }
        },
        onError: reject,
      },
    );
  });
}

const lags: number[] = [];
for (let run = 0; run < input.runs; run++) {
  const { assistantMessage } = await onA.chat.send.mutate({ chatId: input.chatId, text: `follow ${run}` });
  const [owner, other] = await Promise.all([follow(onA, assistantMessage.id), follow(onB, assistantMessage.id)]);
  // The first events of each follower are catch-ups from wherever it joined: compare the live ones.
  const ids = [...owner.keys()].filter((id) => /^\d+$/.test(id) && other.has(id)).slice(3);
  for (const id of ids) lags.push((other.get(id) as number) - (owner.get(id) as number));
}

const stops: { sentAt: number; answeredMs: number }[] = [];
for (let run = 0; run < input.stopRuns; run++) {
  const { assistantMessage } = await onA.chat.send.mutate({ chatId: input.chatId, text: `stop ${run}` });
  await follow(onB, assistantMessage.id, 3);
  const sentAt = now();
  const stopped = await onB.chat.stop.mutate({ messageId: assistantMessage.id });
  if (stopped.status !== 'stopped') throw new Error(`the stop ended as ${stopped.status}`);
  stops.push({ sentAt, answeredMs: now() - sentAt });
}

process.stdout.write(`${JSON.stringify({ lags, stops })}\n`);
process.exit(0);

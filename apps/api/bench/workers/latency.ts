// Latency of one query, in a process of its own: calls it one after another (no concurrency) for `seconds`, and at
// least `minCalls` times; prints every call's time in ms. Input (argv[2], JSON): { url, headers, seconds, minCalls }.

interface Input {
  url: string;
  headers: Record<string, string>;
  seconds: number;
  minCalls: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const times: number[] = [];
const until = performance.now() + input.seconds * 1000;
while (performance.now() < until || times.length < input.minCalls) {
  const started = performance.now();
  const response = await fetch(input.url, { headers: input.headers });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${input.url}: ${response.status}`);
  times.push(performance.now() - started);
}
process.stdout.write(`${JSON.stringify({ times })}\n`);

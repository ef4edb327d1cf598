// Load generator in a process of its own: autocannon against one URL; prints one JSON line with what it measured.
// Input (argv[2], JSON): { url, headers, connections, seconds }.
import autocannon from 'autocannon';

interface Input {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const result = await autocannon({
  url: input.url,
  headers: input.headers,
  connections: input.connections,
  duration: input.seconds,
});
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.total / result.duration,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
  })}\n`,
);

// P7's client, in a process of its own: time from the request to the first chunk carrying text, through Parley's
// OpenAI-compatible gateway and straight from the fake provider, alternating run by run, with the same code (plain
// fetch, an SSE body read to its end so the connection is reused). Input (argv[2], JSON):
// { gateway, apiKey, model, providerUrl, runs, warmup }.

interface Input {
  gateway: string;
  apiKey: string;
  model: string;
  providerUrl: string;
  runs: number;
  warmup: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const decoder = new TextDecoder();
/** A chunk whose delta holds text: `"content":"` followed by something other than the closing quote. */
const TEXT = /"content":"[^"]/;

interface Timing {
  firstByte: number;
  firstText: number;
}

async function firstChunk(url: string, key: string, model: string): Promise<Timing> {
  const started = performance.now();
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: true }),
  });
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  let firstByte = Number.NaN;
  let firstText = Number.NaN;
  let text = '';
  for await (const bytes of response.body) {
    if (Number.isNaN(firstByte)) firstByte = performance.now() - started;
    if (Number.isNaN(firstText)) {
      text += decoder.decode(bytes, { stream: true });
      if (TEXT.test(text)) firstText = performance.now() - started;
    }
  }
  if (!text.includes('data: [DONE]') && Number.isNaN(firstText)) throw new Error(`${url}: no text and no [DONE]`);
  return { firstByte, firstText };
}

const direct: Timing[] = [];
const gateway: Timing[] = [];
for (let run = 0; run < input.warmup + input.runs; run++) {
  const a = await firstChunk(input.providerUrl, 'sk-bench', 'fake-large');
  const b = await firstChunk(`${input.gateway}/v1`, input.apiKey, input.model);
  if (run < input.warmup) continue;
  direct.push(a);
  gateway.push(b);
}
process.stdout.write(`${JSON.stringify({ direct, gateway })}\n`);
process.exit(0);

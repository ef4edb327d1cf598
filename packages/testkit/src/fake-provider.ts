// A local fake AI provider speaking the OpenAI wire protocol (GET /v1/models, POST /v1/chat/completions, streaming
// or not) and, for the anthropic kind, Anthropic's Messages API (POST /v1/messages, text only), with switchable
// failure modes. The only thing the tests fake, and they fake it at the wire.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type FakeMode =
  | 'ok'
  | 'unauthorized'
  | 'error'
  | 'hang'
  | 'no-model-list'
  | 'redirect-to-metadata'
  /** stream a third of the reply, then destroy the connection */
  | 'cut-mid-stream';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** Every header's name, as received (lower case). */
  headerNames: string[];
  body: unknown;
}

export interface FakeProvider {
  /** Base URL for a provider record: `http://127.0.0.1:PORT/v1`. */
  baseUrl: string;
  mode: FakeMode;
  models: string[];
  /** Text the fake model answers with, streamed word by word. */
  reply: string;
  /** Pause before each streamed chunk, in ms. */
  delayMs: number;
  seen: SeenRequest[];
  /** Streaming responses the client closed before their end (a stop reached the provider). */
  abandoned: number;
  /**
   * When set, a request that offers tools is answered with these calls (finish_reason tool_calls) instead of text;
   * streamed, each call's arguments arrive in two pieces. Null (the default): text, as before.
   */
  toolCalls: FakeToolCall[] | null;
  close(): Promise<void>;
}

export interface FakeToolCall {
  name: string;
  /** The arguments as the model writes them: a JSON string. */
  arguments: string;
}

/** Starts the fake on 127.0.0.1: on `port` when given (`pnpm fake-provider`, the demo seed), else on a free one. */
export async function startFakeProvider(options: { port?: number } = {}): Promise<FakeProvider> {
  const sockets = new Set<import('node:net').Socket>();
  const fake = {
    baseUrl: '',
    mode: 'ok' as FakeMode,
    models: ['fake-large', 'fake-small'],
    reply: 'Hello from the fake provider.',
    delayMs: 0,
    seen: [] as SeenRequest[],
    abandoned: 0,
    toolCalls: null as FakeToolCall[] | null,
    close: async () => {},
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    fake.seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      headerNames: Object.keys(req.headers),
      body,
    });
    handle(fake, req, res, body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the fake provider has no port');
  fake.baseUrl = `http://127.0.0.1:${address.port}/v1`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return fake;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(fake: FakeProvider, req: IncomingMessage, res: ServerResponse, body: unknown) {
  switch (fake.mode) {
    case 'hang':
      return; // never answers
    case 'unauthorized':
      return json(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
    case 'error':
      return json(res, 500, { error: { message: 'internal failure', type: 'server_error' } });
    case 'redirect-to-metadata':
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      return res.end();
    default:
      break;
  }
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path === '/v1/models') {
    if (fake.mode === 'no-model-list') return json(res, 404, { error: { message: 'not found' } });
    return json(res, 200, {
      object: 'list',
      data: fake.models.map((id) => ({ id, object: 'model', owned_by: 'fake' })),
    });
  }
  if (req.method === 'POST' && path === '/v1/chat/completions') {
    void chatCompletion(fake, res, body as CompletionRequest);
    return;
  }
  // Anthropic's Messages API (text only), for the anthropic kind: the key arrives in x-api-key.
  if (req.method === 'POST' && path === '/v1/messages') {
    void anthropicMessage(fake, res, body as CompletionRequest);
    return;
  }
  return json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
}

interface CompletionRequest {
  model?: string;
  stream?: boolean;
  tools?: unknown[];
}

async function chatCompletion(fake: FakeProvider, res: ServerResponse, request: CompletionRequest) {
  const id = `chatcmpl-${Date.now()}`;
  const model = request.model ?? 'fake-large';
  const usage = { prompt_tokens: 5, completion_tokens: fake.reply.split(' ').length, total_tokens: 0 };
  if (fake.toolCalls && Array.isArray(request.tools) && request.tools.length > 0) {
    return toolCallCompletion(res, { id, model, usage, stream: request.stream === true, calls: fake.toolCalls });
  }
  if (!request.stream) {
    return json(res, 200, {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: fake.reply }, finish_reason: 'stop' }],
      usage,
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`,
    );
  let closed = false;
  res.on('close', () => {
    if (!res.writableEnded) fake.abandoned++;
    closed = true;
  });
  chunk({ role: 'assistant', content: '' });
  const words = fake.reply.split(/(?<= )/);
  for (const [index, word] of words.entries()) {
    if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
    if (closed) return;
    if (fake.mode === 'cut-mid-stream' && index === Math.floor(words.length / 3)) {
      await new Promise((resolve) => setTimeout(resolve, 30)); // let the chunks written so far reach the client
      res.socket?.destroy();
      return;
    }
    chunk({ content: word });
  }
  chunk({}, 'stop', { usage });
  res.write('data: [DONE]\n\n');
  res.end();
}

interface ToolCallAnswer {
  id: string;
  model: string;
  usage: object;
  stream: boolean;
  calls: FakeToolCall[];
}

function toolCallCompletion(res: ServerResponse, { id, model, usage, stream, calls }: ToolCallAnswer) {
  const toolCalls = calls.map((call, index) => ({
    id: `call_${index}_${id}`,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
  if (!stream) {
    return json(res, 200, {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        { index: 0, message: { role: 'assistant', content: null, tool_calls: toolCalls }, finish_reason: 'tool_calls' },
      ],
      usage,
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`,
    );
  chunk({ role: 'assistant', content: null });
  for (const [index, call] of toolCalls.entries()) {
    const half = Math.floor(call.function.arguments.length / 2);
    chunk({
      tool_calls: [
        {
          index,
          id: call.id,
          type: 'function',
          function: { name: call.function.name, arguments: call.function.arguments.slice(0, half) },
        },
      ],
    });
    chunk({ tool_calls: [{ index, function: { arguments: call.function.arguments.slice(half) } }] });
  }
  chunk({}, 'tool_calls', { usage });
  res.write('data: [DONE]\n\n');
  res.end();
}

/** An answer in Anthropic's Messages shape: one text block, streamed as its documented events or whole. */
async function anthropicMessage(fake: FakeProvider, res: ServerResponse, request: CompletionRequest) {
  const id = `msg_${Date.now()}`;
  const model = request.model ?? 'fake-large';
  const outputTokens = fake.reply.split(' ').length;
  if (!request.stream) {
    return json(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: fake.reply }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: outputTokens },
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (type: string, data: object) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  let closed = false;
  res.on('close', () => {
    if (!res.writableEnded) fake.abandoned++;
    closed = true;
  });
  event('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 1 },
    },
  });
  event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  for (const word of fake.reply.split(/(?<= )/)) {
    if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
    if (closed) return;
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: word } });
  }
  event('content_block_stop', { index: 0 });
  event('message_delta', {
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: outputTokens },
  });
  event('message_stop', {});
  res.end();
}

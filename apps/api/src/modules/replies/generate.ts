// One generation's stream, straight from the provider's model (`doStream`, the AI SDK's provider interface) rather
// than through `streamText`. Measured here (Node 24, 2,000 live replies on the AI SDK's mock model): `streamText`
// holds ~116 KiB of heap per live reply and costs ~25–40 µs of CPU per chunk; the model's own stream holds ~5 KiB.
// A chat reply needs none of what `streamText` adds (tools, steps, callbacks, telemetry), so the engine reads the
// model's stream and keeps the one behaviour it used: a single retry of a call that failed before any output.
import { APICallError, type LanguageModel, type ModelMessage, streamText } from 'ai';

export type Part =
  | { type: 'text' | 'reasoning'; text: string }
  | { type: 'finish'; finishReason: string; inputTokens: number | null; outputTokens: number | null };

export interface GenerateOptions {
  model: LanguageModel;
  system: string | undefined;
  messages: ModelMessage[];
  abortSignal: AbortSignal;
  /** Longest wait for the provider's next piece (or its first), after which the call is aborted; 0: no bound. */
  idleTimeoutMs?: number;
}

/** The provider sent nothing for idleTimeoutMs: the call was aborted and the reply ends as an error. */
export class ProviderIdleError extends Error {
  override name = 'ProviderIdleError';
  constructor(idleTimeoutMs: number) {
    super(`the provider stopped sending (no data for ${Math.round(idleTimeoutMs / 100) / 10} s)`);
  }
}

const RETRY_AFTER_MS = 1_000;

type V4Model = Extract<LanguageModel, { specificationVersion: 'v4' }>;
type V4Prompt = Parameters<V4Model['doStream']>[0]['prompt'];
type V4Part = Awaited<ReturnType<V4Model['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;

/** The reply's text, reasoning and finish, in order; a provider failure (or silence) is thrown. */
export async function* generate(options: GenerateOptions): AsyncGenerator<Part> {
  const { idleTimeoutMs = 0 } = options;
  if (idleTimeoutMs <= 0) {
    yield* parts(options);
    return;
  }
  // A provider that accepts the call and then sends nothing (or stops mid-reply) would hold the reply open for
  // ever: a timer, restarted by every piece, aborts the call; the caller's own abort (a stop) still passes through.
  const idle = new AbortController();
  const timer = setTimeout(() => idle.abort(new ProviderIdleError(idleTimeoutMs)), idleTimeoutMs);
  const abortSignal = AbortSignal.any([options.abortSignal, idle.signal]);
  try {
    // Every piece the provider sends counts as data, whether or not it carries text (stream start, metadata).
    yield* parts({ ...options, abortSignal }, () => timer.refresh());
  } catch (error) {
    if (idle.signal.aborted && !options.abortSignal.aborted) throw idle.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // Cancelling the reader ends the stream quietly: silence must still end as an error, not as a short reply.
  if (idle.signal.aborted && !options.abortSignal.aborted) throw idle.signal.reason;
}

function parts(options: GenerateOptions, onData: () => void = () => {}): AsyncGenerator<Part> {
  const { model } = options;
  if (typeof model === 'object' && model.specificationVersion === 'v4') return fromModel(model, options, onData);
  return throughStreamText(options, onData);
}

async function* fromModel(
  model: V4Model,
  { system, messages, abortSignal }: GenerateOptions,
  onData: () => void,
): AsyncGenerator<Part> {
  const call = () => model.doStream({ prompt: toPrompt(system, messages), abortSignal });
  let result: Awaited<ReturnType<typeof call>>;
  try {
    result = await call();
  } catch (error) {
    if (abortSignal.aborted || !APICallError.isInstance(error) || !error.isRetryable) throw error;
    await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
    abortSignal.throwIfAborted();
    result = await call();
  }
  // A stop ends the reading at once, whether or not the provider's stream notices the abort itself.
  const reader = result.stream.getReader();
  const cancel = () => void reader.cancel(abortSignal.reason).catch(() => {});
  abortSignal.addEventListener('abort', cancel, { once: true });
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      onData();
      yield* toParts(read.value);
    }
  } finally {
    abortSignal.removeEventListener('abort', cancel);
    reader.releaseLock();
  }
}

function* toParts(part: V4Part): Generator<Part> {
  if (part.type === 'text-delta') yield { type: 'text', text: part.delta };
  else if (part.type === 'reasoning-delta') yield { type: 'reasoning', text: part.delta };
  else if (part.type === 'error') throw part.error;
  else if (part.type === 'finish') {
    yield {
      type: 'finish',
      finishReason: part.finishReason.unified,
      inputTokens: part.usage.inputTokens.total ?? null,
      outputTokens: part.usage.outputTokens.total ?? null,
    };
  }
}

/** The chat history in the provider interface's prompt shape (text only: that is all a chat message holds). */
function toPrompt(system: string | undefined, messages: ModelMessage[]): V4Prompt {
  const prompt: V4Prompt = system ? [{ role: 'system', content: system }] : [];
  for (const m of messages) {
    const text = typeof m.content === 'string' ? m.content : '';
    if (m.role === 'user') prompt.push({ role: 'user', content: [{ type: 'text', text }] });
    else if (m.role === 'assistant') prompt.push({ role: 'assistant', content: [{ type: 'text', text }] });
  }
  return prompt;
}

/** Models of an older provider interface (or named by id) go through the AI SDK's own streamText. */
async function* throughStreamText(
  { model, system, messages, abortSignal }: GenerateOptions,
  onData: () => void,
): AsyncGenerator<Part> {
  const result = streamText({ model, system, messages, abortSignal, maxRetries: 1, onError: () => {} });
  for await (const part of result.fullStream) {
    onData();
    if (part.type === 'text-delta') yield { type: 'text', text: part.text };
    else if (part.type === 'reasoning-delta') yield { type: 'reasoning', text: part.text };
    else if (part.type === 'error') throw part.error;
    else if (part.type === 'finish') {
      yield {
        type: 'finish',
        finishReason: part.finishReason,
        inputTokens: part.totalUsage.inputTokens ?? null,
        outputTokens: part.totalUsage.outputTokens ?? null,
      };
    }
  }
}

// One chat completion through the gateway: the request checked, the model resolved among the caller's providers,
// a generation slot taken (the per-user limit chat uses), the provider called through the AI SDK's provider
// interface, the answer shaped as OpenAI's, the usage recorded per user, key, provider and model. Nothing of the
// conversation is stored.
import { randomUUID } from 'node:crypto';
import type { LanguageModelV4, LanguageModelV4Content, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../shared/db/client.ts';
import type { Keyring } from '../../shared/lib/keyring.ts';
import { type OpenedModel, type Outbound, openModelOf } from '../providers/index.ts';
import type { Replies } from '../replies/index.ts';
import { type Cap, capOf, settleReply, withReservation, worstCaseTokens } from '../spend/index.ts';
import { createChunkWriter, errorLine, finishReasonOf, toCompletion, type Usage, usageOf } from './completion.ts';
import { fromProviderError, GatewayError, invalid, toGatewayError } from './errors.ts';
import { type Resolved, resolveModel } from './models.ts';
import { toCallOptions } from './prompt.ts';
import { addUsage, type Owned } from './repository.ts';
import { ChatCompletionRequest, paramOf, refusal } from './schema.ts';

export interface GatewayDeps {
  db: Db;
  keyring: Keyring;
  outbound: Outbound;
  replies: Replies;
  log: FastifyBaseLogger;
}

export interface Caller {
  userId: string;
  apiKeyId: string;
}

export interface Prepared {
  request: ChatCompletionRequest;
  opened: OpenedModel;
  model: LanguageModelV4;
  call: ReturnType<typeof toCallOptions>;
  /** The user's spend cap, when one applies: the call reserves its worst case against it first. */
  cap: Cap | null;
  resolved: Resolved;
}

/**
 * Checks the request and opens the model it names among `owned` (the caller's providers, read beside the key's
 * check); throws GatewayError (400, 404) before any provider call.
 */
export async function prepareCompletion(
  deps: GatewayDeps,
  caller: Caller,
  body: unknown,
  owned: Promise<Owned>,
): Promise<Prepared> {
  const parsed = ChatCompletionRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      throw invalid(`Unrecognized request argument supplied: ${issue.keys.join(', ')}`, issue.keys[0] ?? null);
    }
    const param = issue ? paramOf(issue.path) : null;
    throw invalid(`Invalid value for '${param ?? 'body'}': ${issue?.message ?? 'expected a JSON object'}`, param);
  }
  const request = parsed.data;
  const refused = refusal(request);
  if (refused) throw invalid(`Unsupported: ${refused.message}`, refused.param, 'unsupported_parameter');

  const { providers, limit } = await owned;
  // Read by the key's hash: only rows of the user the key's check named count.
  const resolved = resolveModel(
    providers.filter((row) => row.userId === caller.userId),
    request.model,
  );
  if (!resolved) {
    throw new GatewayError(404, `The model '${request.model}' does not exist or you do not have access to it.`, {
      param: 'model',
      code: 'model_not_found',
    });
  }
  const opened = openModelOf({
    row: resolved.row,
    model: resolved.model,
    keyring: deps.keyring,
    outbound: deps.outbound,
  });
  const model = opened.model;
  if (typeof model !== 'object' || model.specificationVersion !== 'v4') {
    throw new GatewayError(500, 'Internal server error', { cause: new Error('the gateway needs a v4 language model') });
  }
  const cap = capOf(limit, deps.replies.limits);
  const call = toCallOptions(request, resolved.row.kind);
  // A capped call may write at most what its reservation holds.
  if (cap)
    call.maxOutputTokens = Math.min(
      call.maxOutputTokens ?? Number.POSITIVE_INFINITY,
      deps.replies.limits.spendMaxOutputTokens,
    );
  return { request, opened, model, call, cap, resolved };
}

/** An 'unsupported' warning of the provider's SDK means an option the client sent would be dropped: refused. */
function refuseDropped(warnings: readonly { type: string; feature?: string; details?: string }[]): void {
  const dropped = warnings.find((w) => w.type === 'unsupported');
  if (!dropped) return;
  const detail = dropped.details ? ` (${dropped.details})` : '';
  throw invalid(`Unsupported by this provider: ${dropped.feature}${detail}`, null, 'unsupported_parameter');
}

function record(deps: GatewayDeps, caller: Caller, prepared: Prepared, usage: Usage): void {
  addUsage(deps.db, {
    userId: caller.userId,
    apiKeyId: caller.apiKeyId,
    providerId: prepared.opened.providerId,
    model: prepared.opened.modelId,
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
  }).catch((error: unknown) => deps.log.error({ err: error }, 'gateway usage not recorded'));
}

type End = (usage: Usage | null) => void;

/**
 * Takes a generation slot for this call (TOO_MANY_GENERATIONS becomes a 429) and, under a spend cap, reserves the
 * call's worst case (QUOTA_EXCEEDED becomes a 403). The returned `end` gives both back, counting the real usage.
 */
async function begin(deps: GatewayDeps, caller: Caller, prepared: Prepared): Promise<End> {
  const id = randomUUID();
  const { userId } = caller;
  try {
    await deps.replies.generations.acquire(userId, id);
  } catch (error) {
    throw toGatewayError(error);
  }
  const { cap } = prepared;
  if (cap) {
    const texts = prepared.request.messages.map((m) => JSON.stringify(m));
    const tokens = worstCaseTokens(texts, prepared.call.maxOutputTokens ?? deps.replies.limits.spendMaxOutputTokens);
    const config = deps.replies.limits;
    try {
      await withReservation(deps.db, { userId, cap, tokens, messageId: id, config }, async () => undefined);
    } catch (error) {
      await deps.replies.generations.release(userId, id).catch(() => {});
      throw toGatewayError(error);
    }
  }
  // Slots on Redis are leases: a live call renews its own, as the engine renews its replies'.
  const leaseMs = deps.replies.limits.staleGenerationMs;
  const renew = setInterval(
    () => void deps.replies.generations.renew([{ userId, id }]).catch(() => {}),
    Math.max(250, Math.floor(leaseMs / 4)),
  ).unref();
  let ended = false;
  return (usage) => {
    if (ended) return;
    ended = true;
    clearInterval(renew);
    deps.replies.generations.release(userId, id).catch(() => {});
    if (!cap) return;
    const used = usage ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens } : null;
    settleReply(deps.db, id, used).catch((error: unknown) =>
      deps.log.error({ err: error }, 'gateway spend not settled'),
    );
  };
}

class ProviderSilentError extends Error {
  override name = 'ProviderSilentError';
}

/**
 * Starts the provider call as a stream (for non-streaming calls too: an option the provider's package would drop is
 * seen in its first part and refused before anything is generated, and a silent provider is cut off the same way).
 * Resolves once the provider has accepted the call, so its refusal can still be an HTTP status. `signal` aborts the
 * call (the client left); a provider silent for PROVIDER_IDLE_TIMEOUT_MS is aborted too.
 */
async function openReading(deps: GatewayDeps, caller: Caller, prepared: Prepared, signal: AbortSignal) {
  const end = await begin(deps, caller, prepared);
  const idleMs = deps.replies.limits.providerIdleTimeoutMs;
  const idle = new AbortController();
  const timer = setTimeout(() => idle.abort(new ProviderSilentError(`no data for ${idleMs} ms`)), idleMs);
  const abortSignal = AbortSignal.any([signal, idle.signal]);
  const done = (usage: Usage | null) => {
    clearTimeout(timer);
    end(usage);
  };
  try {
    const result = await prepared.model.doStream({ ...prepared.call, abortSignal });
    const reader = result.stream.getReader();
    const first = await reader.read();
    if (!first.done && first.value.type === 'stream-start') refuseDropped(first.value.warnings);
    return { reader, first, abortSignal, idle, timer, done } satisfies Reading;
  } catch (error) {
    const cause = idle.signal.aborted ? idle.signal.reason : error;
    idle.abort(); // a refused call's provider request is cut off
    done(null);
    if (error instanceof GatewayError) throw error;
    throw fromProviderError(cause, prepared.opened.describeError(error, ''));
  }
}

/** A streaming completion: the SSE text to send, ending in `data: [DONE]`. */
export async function streamCompletion(
  deps: GatewayDeps,
  caller: Caller,
  prepared: Prepared,
  signal: AbortSignal,
): Promise<AsyncGenerator<string>> {
  return chunks(deps, caller, prepared, await openReading(deps, caller, prepared, signal));
}

/** A non-streaming completion, gathered from the provider's stream. */
export async function createCompletion(deps: GatewayDeps, caller: Caller, prepared: Prepared, signal: AbortSignal) {
  const { reader, first, abortSignal, idle, timer, done } = await openReading(deps, caller, prepared, signal);
  const cancel = () => void reader.cancel(abortSignal.reason).catch(() => {});
  abortSignal.addEventListener('abort', cancel, { once: true });
  const gathered: Gathered = { text: '', reasoning: '', calls: [] };
  let usage: Usage | null = null;
  try {
    for (let read = first; !read.done; read = await reader.read()) {
      timer.refresh();
      const part = read.value;
      if (part.type === 'finish') {
        const completion = toCompletion(
          { content: contentOf(gathered), finishReason: part.finishReason, usage: part.usage, warnings: [] },
          prepared.request.model,
        );
        usage = completion.usage;
        record(deps, caller, prepared, usage);
        return completion;
      }
      gather(gathered, part);
    }
    throw idle.signal.aborted ? idle.signal.reason : new Error('the provider stream ended without a finish');
  } catch (error) {
    const cause = idle.signal.aborted ? idle.signal.reason : error;
    throw fromProviderError(cause, prepared.opened.describeError(error, gathered.text));
  } finally {
    abortSignal.removeEventListener('abort', cancel);
    if (usage === null) idle.abort();
    reader.releaseLock();
    done(usage);
  }
}

interface Gathered {
  text: string;
  reasoning: string;
  calls: Extract<LanguageModelV4StreamPart, { type: 'tool-call' }>[];
}

function gather(gathered: Gathered, part: LanguageModelV4StreamPart): void {
  if (part.type === 'error') throw part.error;
  if (part.type === 'text-delta') gathered.text += part.delta;
  else if (part.type === 'reasoning-delta') gathered.reasoning += part.delta;
  else if (part.type === 'tool-call') gathered.calls.push(part);
}

function contentOf({ text, reasoning, calls }: Gathered): LanguageModelV4Content[] {
  return [
    ...(reasoning ? [{ type: 'reasoning' as const, text: reasoning }] : []),
    ...(text ? [{ type: 'text' as const, text }] : []),
    ...calls,
  ];
}

/** The text a part adds (kept to describe a failure mid-reply); a failure the stream carries is thrown. */
function textOf(part: LanguageModelV4StreamPart): string {
  if (part.type === 'error') throw part.error;
  return part.type === 'text-delta' ? part.delta : '';
}

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<LanguageModelV4StreamPart>['read']>>;

interface Reading {
  reader: ReadableStreamDefaultReader<LanguageModelV4StreamPart>;
  first: ReadResult;
  abortSignal: AbortSignal;
  idle: AbortController;
  timer: NodeJS.Timeout;
  done: (usage: Usage | null) => void;
}

async function* chunks(
  deps: GatewayDeps,
  caller: Caller,
  prepared: Prepared,
  { reader, first, abortSignal, idle, timer, done }: Reading,
): AsyncGenerator<string> {
  const writer = createChunkWriter({
    model: prepared.request.model,
    includeUsage: prepared.request.stream_options?.include_usage === true,
  });
  // A stop ends the reading at once, whether or not the provider's stream notices the abort itself.
  const cancel = () => void reader.cancel(abortSignal.reason).catch(() => {});
  abortSignal.addEventListener('abort', cancel, { once: true });
  let text = '';
  let usage: Usage | null = null;
  try {
    yield writer.start();
    for (let read = first; !read.done; read = await reader.read()) {
      timer.refresh();
      const part = read.value;
      if (part.type === 'finish') {
        usage = usageOf(part.usage);
        record(deps, caller, prepared, usage);
        yield writer.finish(finishReasonOf(part.finishReason), usage);
        return;
      }
      text += textOf(part);
      const line = writer.part(part);
      if (line) yield line;
    }
    // Ended without a finish: the client left, the provider went silent, or it broke off.
    throw idle.signal.aborted ? idle.signal.reason : new Error('the provider stream ended without a finish');
  } catch (error) {
    // A client that left has no one to tell; anyone else hears the failure as OpenAI sends it mid-stream.
    if (abortSignal.aborted && !idle.signal.aborted) return;
    const failure = fromProviderError(
      idle.signal.aborted ? idle.signal.reason : error,
      prepared.opened.describeError(error, text),
    );
    deps.log.warn({ err: error, status: failure.status }, 'gateway stream failed');
    yield errorLine(failure.body());
  } finally {
    abortSignal.removeEventListener('abort', cancel);
    // Left early (the reader of this generator went away, or a failure): the provider call is cut off.
    if (usage === null) idle.abort();
    reader.releaseLock();
    done(usage);
  }
}

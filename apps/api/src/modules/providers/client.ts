// Calls to a provider on the user's behalf: its model list, a one-token generation, and the reasons they fail, in
// words a person can act on. No reason ever quotes the provider's answer or the key.
import { APICallError, generateText } from 'ai';
import { type FetchFunction, OutboundUrlError } from '../../shared/lib/outbound.ts';
import { KINDS, type ProviderTarget } from './kinds.ts';

export interface CallOptions {
  fetch: FetchFunction;
  timeoutMs: number;
}

/** A failed call to a provider, with the reason to show. */
export class ProviderCallError extends Error {
  override name = 'ProviderCallError';
  readonly status: number | undefined;

  constructor(reason: string, status?: number, options?: { cause?: unknown }) {
    super(reason, options);
    this.status = status;
  }
}

export function reasonForStatus(status: number): string {
  if (status === 401 || status === 403) return 'the provider rejected the API key';
  if (status === 404) return 'the provider has no such endpoint or model: check the base URL and model';
  if (status === 429) return 'the provider is rate limiting requests: try again later';
  if (status >= 500) return `the provider failed (HTTP ${status})`;
  return `the provider refused the request (HTTP ${status})`;
}

/** Turns anything a provider call threw into a ProviderCallError with a key-free, human reason. */
export function toProviderCallError(error: unknown, target: ProviderTarget, timeoutMs: number): ProviderCallError {
  if (error instanceof ProviderCallError) return error;
  const outbound = findCause(error, (e) => e instanceof OutboundUrlError);
  if (outbound)
    return new ProviderCallError(`the base URL is not allowed: ${outbound.message}`, undefined, { cause: error });
  if (findCause(error, (e) => (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError')) {
    return new ProviderCallError(`the provider did not answer within ${timeoutMs} ms`, undefined, { cause: error });
  }
  const apiCall = findCause(error, (e) => APICallError.isInstance(e)) as APICallError | undefined;
  // A status of 400 or more is the provider's answer; a 200 whose body broke off is a connection failure.
  if (apiCall?.statusCode && apiCall.statusCode >= 400) {
    return new ProviderCallError(reasonForStatus(apiCall.statusCode), apiCall.statusCode);
  }
  const host = new URL(target.baseUrl).host;
  return new ProviderCallError(`could not connect to the provider at ${host}`, undefined, { cause: error });
}

/** Walks an error's causes (and the AI SDK RetryError's lastError) for the first that matches. */
function findCause(error: unknown, match: (e: unknown) => boolean): Error | undefined {
  const next = (e: unknown) => (e as { cause?: unknown }).cause ?? (e as { lastError?: unknown }).lastError;
  for (let e: unknown = error, depth = 0; e && depth < 8; e = next(e), depth++) {
    if (match(e)) return e as Error;
  }
  return undefined;
}

/** The provider's model ids, from its model-list endpoint. */
export async function listModels(target: ProviderTarget, { fetch, timeoutMs }: CallOptions): Promise<string[]> {
  const kind = KINDS[target.kind];
  const { url, headers } = kind.modelsRequest(target);
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new ProviderCallError(reasonForStatus(response.status), response.status);
    }
    const body: unknown = await response.json().catch(() => null);
    try {
      return kind.parseModels(body).sort();
    } catch {
      throw new ProviderCallError('the provider answered with something other than a model list: check the base URL');
    }
  } catch (error) {
    throw toProviderCallError(error, target, timeoutMs);
  }
}

/** A one-token generation through the kind's AI SDK provider: the test for endpoints without a model list. */
export async function generateOneToken(
  target: ProviderTarget,
  model: string,
  { fetch, timeoutMs }: CallOptions,
): Promise<void> {
  try {
    await generateText({
      model: KINDS[target.kind].languageModel(target, model, fetch),
      prompt: 'Reply with one word.',
      maxOutputTokens: 1,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw toProviderCallError(error, target, timeoutMs);
  }
}

export interface ConnectionReport {
  ok: boolean;
  latencyMs: number;
  models: string[];
  error: string | null;
}

/** Lists the models; where the endpoint has no list (404) and a model is known, generates one token instead. */
export async function testConnection(
  target: ProviderTarget,
  model: string | null,
  options: CallOptions,
): Promise<ConnectionReport> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const models = await listModels(target, options);
    return { ok: true, latencyMs: elapsed(), models, error: null };
  } catch (error) {
    const failure = error as ProviderCallError;
    if (failure.status === 404 && model) {
      try {
        await generateOneToken(target, model, options);
        return { ok: true, latencyMs: elapsed(), models: [], error: null };
      } catch (fallback) {
        return { ok: false, latencyMs: elapsed(), models: [], error: (fallback as Error).message };
      }
    }
    return { ok: false, latencyMs: elapsed(), models: [], error: failure.message };
  }
}

/** The reason a streaming generation failed, for the stored reply: key-free, and clear about a cut mid-reply. */
export function describeGenerationError(error: unknown, target: ProviderTarget, partialText: string): string {
  const failure = toProviderCallError(error, target, 0);
  if (failure.status === undefined && partialText.length > 0 && failure.message.startsWith('could not connect')) {
    return 'the connection to the provider broke off mid-reply';
  }
  return failure.message;
}

// The language model of a reply: a thin object holding this call's key, over one AI SDK model per kind, base URL
// and model id, made when first called (the provider SDKs load on first use, not at start: P5) and shared after.
// Why share: an AI SDK model is not small — @ai-sdk/openai-compatible builds its whole Zod chunk schema in the model's
// constructor — and a model made per reply held ~0.4 MiB per live reply (P3b, heap snapshot at 300 live replies).
// The shared model is made with a placeholder key; each call carries its own key in a header that the fetch below
// swaps in for the placeholder, so keys never mix and the decrypted key lives as long as the reply's call, as before.
import type { LanguageModelV4 } from '@ai-sdk/provider';
import type { FetchFunction } from '../../shared/lib/outbound.ts';

const PLACEHOLDER = 'parley-provider-key-placeholder';
const KEY_HEADER = 'x-parley-provider-key';
const MAX_SHARED = 500;

export type CreateModel = (apiKey: string, fetch: FetchFunction) => Promise<LanguageModelV4>;

const shared = new WeakMap<FetchFunction, Map<string, Promise<LanguageModelV4>>>();

function sharedModel(fetch: FetchFunction, key: string, create: CreateModel): Promise<LanguageModelV4> {
  let models = shared.get(fetch);
  if (!models) {
    models = new Map();
    shared.set(fetch, models);
  }
  let model = models.get(key);
  if (!model) {
    if (models.size >= MAX_SHARED) models.delete(models.keys().next().value as string);
    model = create(PLACEHOLDER, withCallKey(fetch));
    model.catch(() => models.delete(key)); // a failed SDK import is tried again next time
    models.set(key, model);
  }
  return model;
}

/** A call's model: `provider` and `modelId` as the SDK names them, the key of this call only. */
export function keyedModel(
  provider: string,
  target: { baseUrl: string; apiKey: string | undefined },
  modelId: string,
  fetch: FetchFunction,
  create: CreateModel,
): LanguageModelV4 {
  const model = () => sharedModel(fetch, `${provider}\0${target.baseUrl}\0${modelId}`, create);
  const keyHeader: Record<string, string> = target.apiKey ? { [KEY_HEADER]: target.apiKey } : {};
  return {
    specificationVersion: 'v4',
    provider,
    modelId,
    get supportedUrls() {
      return model().then((m) => m.supportedUrls);
    },
    doGenerate: async (options) =>
      (await model()).doGenerate({ ...options, headers: { ...options.headers, ...keyHeader } }),
    doStream: async (options) =>
      (await model()).doStream({ ...options, headers: { ...options.headers, ...keyHeader } }),
  };
}

/** The shared models' fetch: the call's key goes where the SDK put the placeholder (a header or the URL). */
function withCallKey(fetch: FetchFunction): FetchFunction {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    const key = headers.get(KEY_HEADER);
    headers.delete(KEY_HEADER);
    const holding = [...headers].filter(([, value]) => value.includes(PLACEHOLDER));
    for (const [name, value] of holding) {
      // No key (an endpoint that needs none): the SDK's auth header goes away rather than carry the placeholder.
      if (key) headers.set(name, value.replaceAll(PLACEHOLDER, key));
      else headers.delete(name);
    }
    const url = String(input instanceof Request ? input.url : input);
    const target = url.includes(PLACEHOLDER) ? url.replaceAll(PLACEHOLDER, encodeURIComponent(key ?? '')) : input;
    return fetch(target, { ...init, headers });
  };
}

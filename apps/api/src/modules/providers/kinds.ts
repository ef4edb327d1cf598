// The registry of provider kinds. Adding a kind is one entry: its AI SDK provider and its model-list endpoint.
// Each provider SDK is imported when a model of its kind is first called, and its models are shared (shared-model.ts).
// The list of kinds is the clients' too: @parley/shared owns it, and KINDS has exactly one entry for each.
import type { ProviderKind } from '@parley/shared/provider-kinds';
import type { LanguageModel } from 'ai';
import type { FetchFunction } from '../../shared/lib/outbound.ts';
import { keyedModel } from './shared-model.ts';

export { PROVIDER_KINDS, type ProviderKind } from '@parley/shared/provider-kinds';

/** A provider ready to call: the base URL resolved to the kind's default when unset, the key decrypted. */
export interface ProviderTarget {
  kind: ProviderKind;
  baseUrl: string;
  apiKey: string | undefined;
}

export interface KindDefinition {
  label: string;
  needsApiKey: boolean;
  needsBaseUrl: boolean;
  defaultBaseUrl: string | null;
  suggestedModels: string[];
  languageModel(target: ProviderTarget, modelId: string, fetch: FetchFunction): LanguageModel;
  modelsRequest(target: ProviderTarget): { url: string; headers: Record<string, string> };
  parseModels(body: unknown): string[];
}

const bearer = (apiKey: string | undefined): Record<string, string> =>
  apiKey ? { authorization: `Bearer ${apiKey}` } : {};

/** `{ data: [{ id }] }`: the OpenAI and Anthropic model lists. */
function idsOfData(body: unknown): string[] {
  const data = (body as { data?: { id?: unknown }[] } | null)?.data;
  if (!Array.isArray(data)) throw new TypeError('expected { data: [...] }');
  return data.map((m) => m.id).filter((id): id is string => typeof id === 'string');
}

/** One entry per kind of the shared list: the Record type refuses a missing kind and an extra one. */
export const KINDS: Record<ProviderKind, KindDefinition> = {
  openai: {
    label: 'OpenAI',
    needsApiKey: true,
    needsBaseUrl: false,
    defaultBaseUrl: 'https://api.openai.com/v1',
    suggestedModels: ['gpt-5', 'gpt-5-mini', 'gpt-4.1'],
    languageModel: (t, model, fetch) =>
      keyedModel('openai.responses', t, model, fetch, async (apiKey, keyedFetch) => {
        const { createOpenAI } = await import('@ai-sdk/openai');
        return createOpenAI({ apiKey, baseURL: t.baseUrl, fetch: keyedFetch })(model);
      }),
    modelsRequest: (t) => ({ url: `${t.baseUrl}/models`, headers: bearer(t.apiKey) }),
    parseModels: idsOfData,
  },
  anthropic: {
    label: 'Anthropic',
    needsApiKey: true,
    needsBaseUrl: false,
    defaultBaseUrl: 'https://api.anthropic.com/v1',
    suggestedModels: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'],
    languageModel: (t, model, fetch) =>
      keyedModel('anthropic.messages', t, model, fetch, async (apiKey, keyedFetch) => {
        const { createAnthropic } = await import('@ai-sdk/anthropic');
        return createAnthropic({ apiKey, baseURL: t.baseUrl, fetch: keyedFetch })(model);
      }),
    modelsRequest: (t) => ({
      url: `${t.baseUrl}/models?limit=1000`,
      headers: { 'x-api-key': t.apiKey ?? '', 'anthropic-version': '2023-06-01' },
    }),
    parseModels: idsOfData,
  },
  google: {
    label: 'Google Gemini',
    needsApiKey: true,
    needsBaseUrl: false,
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    suggestedModels: ['gemini-2.5-pro', 'gemini-2.5-flash'],
    languageModel: (t, model, fetch) =>
      keyedModel('google.generative-ai', t, model, fetch, async (apiKey, keyedFetch) => {
        const { createGoogleGenerativeAI } = await import('@ai-sdk/google');
        return createGoogleGenerativeAI({ apiKey, baseURL: t.baseUrl, fetch: keyedFetch })(model);
      }),
    modelsRequest: (t) => ({ url: `${t.baseUrl}/models?pageSize=1000`, headers: { 'x-goog-api-key': t.apiKey ?? '' } }),
    parseModels(body) {
      const models = (body as { models?: { name?: unknown }[] } | null)?.models;
      if (!Array.isArray(models)) throw new TypeError('expected { models: [...] }');
      return models
        .map((m) => m.name)
        .filter((name): name is string => typeof name === 'string')
        .map((name) => name.replace(/^models\//, ''));
    },
  },
  'openai-compatible': {
    label: 'OpenAI-compatible (Ollama, vLLM, LM Studio, OpenRouter, Groq, …)',
    needsApiKey: false,
    needsBaseUrl: true,
    defaultBaseUrl: null,
    suggestedModels: ['llama3.2', 'qwen2.5', 'mistral'],
    languageModel: (t, model, fetch) =>
      keyedModel('openai-compatible.chat', t, model, fetch, async (apiKey, keyedFetch) => {
        const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
        const provider = createOpenAICompatible({
          name: 'openai-compatible',
          baseURL: t.baseUrl,
          apiKey,
          fetch: keyedFetch,
          // OpenAI's own endpoint (and servers that copy it) report a stream's usage only when asked.
          includeUsage: true,
        });
        return provider.chatModel(model);
      }),
    modelsRequest: (t) => ({ url: `${t.baseUrl}/models`, headers: bearer(t.apiKey) }),
    parseModels: idsOfData,
  },
};

/** Imports every provider SDK now (after start, so the first reply does not wait for it). */
export async function loadProviderSdks(): Promise<void> {
  await Promise.all([
    import('@ai-sdk/openai'),
    import('@ai-sdk/anthropic'),
    import('@ai-sdk/google'),
    import('@ai-sdk/openai-compatible'),
  ]);
}

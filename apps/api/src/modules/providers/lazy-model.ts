// A language model whose provider SDK is imported on its first call, not at start: the four @ai-sdk/* packages are
// not needed to serve a request until a reply begins (P5: start-up). The model is made synchronously, as before;
// only doGenerate/doStream (already asynchronous) wait for the import, once per process.
import type { LanguageModelV4 } from '@ai-sdk/provider';

export function lazyModel(provider: string, modelId: string, load: () => Promise<LanguageModelV4>): LanguageModelV4 {
  let model: Promise<LanguageModelV4> | undefined;
  const loaded = () => {
    model ??= load();
    return model;
  };
  return {
    specificationVersion: 'v4',
    provider,
    modelId,
    get supportedUrls() {
      return loaded().then((m) => m.supportedUrls);
    },
    doGenerate: async (options) => (await loaded()).doGenerate(options),
    doStream: async (options) => (await loaded()).doStream(options),
  };
}

// The AI SDK's mock language model, streaming what a test tells it to, for router tests without any HTTP.
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { MockLanguageModelV4 } from 'ai/test';

const usage = (output: number) => ({
  inputTokens: { total: 7, noCache: 7, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

export interface MockOptions {
  /** The reply, as the deltas it streams in. */
  deltas?: string[];
  /** Stream the deltas, then wait (until aborted) instead of finishing. */
  hang?: boolean;
  /** Stream the deltas, then fail with this error. */
  failWith?: Error;
  /** What doGenerate answers (titles). */
  title?: string | Error;
  /** Delay before each delta, in ms. */
  delayMs?: number;
}

export function mockModel(options: MockOptions = {}) {
  const {
    deltas = ['Hello', ', ', 'world', '.'],
    hang = false,
    failWith,
    title = 'A generated title',
    delayMs = 0,
  } = options;
  return new MockLanguageModelV4({
    async doStream({ abortSignal }) {
      const parts: LanguageModelV4StreamPart[] = [
        { type: 'stream-start', warnings: [] },
        { type: 'text-start', id: 't1' },
        ...deltas.map((delta) => ({ type: 'text-delta' as const, id: 't1', delta })),
      ];
      let index = 0;
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        async pull(controller) {
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          const part = parts[index++];
          if (part) return controller.enqueue(part);
          if (failWith) return controller.error(failWith);
          if (hang) {
            await untilAborted(abortSignal);
            return controller.error(abortSignal?.reason ?? new Error('aborted'));
          }
          controller.enqueue({ type: 'text-end', id: 't1' });
          controller.enqueue({
            type: 'finish',
            finishReason: { unified: 'stop', raw: 'stop' },
            usage: usage(deltas.length),
          });
          controller.close();
        },
      });
      return { stream };
    },
    async doGenerate() {
      if (title instanceof Error) throw title;
      return {
        content: [{ type: 'text', text: title }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usage(3),
        warnings: [],
      };
    },
  });
}

/** Resolves when the signal aborts (at once when it already has). */
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

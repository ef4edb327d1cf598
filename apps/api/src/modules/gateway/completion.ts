// The provider interface's answers in OpenAI's shapes: a `chat.completion` from a whole result, and
// `chat.completion.chunk`s from a stream of parts (text, reasoning, tool calls, finish, usage).
import { randomUUID } from 'node:crypto';
import type {
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function finishReasonOf(reason: LanguageModelV4FinishReason): FinishReason {
  switch (reason.unified) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function usageOf(usage: LanguageModelV4Usage): Usage {
  const prompt = usage.inputTokens.total ?? 0;
  const completion = usage.outputTokens.total ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export const completionId = () => `chatcmpl-${randomUUID().replaceAll('-', '')}`;

interface ToolCallOut {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A whole answer (doGenerate) as OpenAI's `chat.completion`. */
export function toCompletion(result: LanguageModelV4GenerateResult, model: string) {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCallOut[] = [];
  for (const part of result.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else if (part.type === 'tool-call' && !part.providerExecuted) {
      toolCalls.push({
        id: part.toolCallId,
        type: 'function',
        function: { name: part.toolName, arguments: part.input },
      });
    }
  }
  const usage = usageOf(result.usage);
  return {
    id: completionId(),
    object: 'chat.completion' as const,
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: text || (toolCalls.length > 0 ? null : ''),
          refusal: null,
          ...(reasoning ? { reasoning_content: reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReasonOf(result.finishReason),
      },
    ],
    usage,
  };
}

type ToolPart = Extract<LanguageModelV4StreamPart, { type: 'tool-input-start' | 'tool-input-delta' | 'tool-call' }>;

export interface ChunkWriterOptions {
  model: string;
  includeUsage: boolean;
}

/**
 * Turns stream parts into SSE lines (`data: {…}\n\n`). Tool calls get OpenAI's indexes in the order they start;
 * their arguments stream as they arrive.
 */
export function createChunkWriter({ model, includeUsage }: ChunkWriterOptions) {
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  const toolIndexes = new Map<string, number>();
  // Every chunk has the same head; only the choice (and the usage) differ.
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":null,"choices":[{"index":0,"delta":`;
  const tail = includeUsage
    ? ',"logprobs":null,"finish_reason":null}],"usage":null}'
    : ',"logprobs":null,"finish_reason":null}]}';
  const line = (delta: object) => `data: ${head}${JSON.stringify(delta)}${tail}\n\n`;

  function toolLine(part: ToolPart): string {
    if (part.type === 'tool-input-delta') {
      const index = toolIndexes.get(part.id);
      return index === undefined || !part.delta
        ? ''
        : line({ tool_calls: [{ index, function: { arguments: part.delta } }] });
    }
    if (part.providerExecuted) return '';
    const callId = part.type === 'tool-call' ? part.toolCallId : part.id;
    // A call streamed already through tool-input parts is not sent again whole.
    if (toolIndexes.has(callId)) return '';
    const index = toolIndexes.size;
    toolIndexes.set(callId, index);
    const args = part.type === 'tool-call' ? part.input : '';
    const call = { index, id: callId, type: 'function', function: { name: part.toolName, arguments: args } };
    return line({ tool_calls: [call] });
  }

  return {
    /** The first chunk, as OpenAI sends it: the role and an empty content. */
    start: () => line({ role: 'assistant', content: '' }),
    /** The lines for one part ('' when the part carries nothing a client sees). */
    part(part: LanguageModelV4StreamPart): string {
      switch (part.type) {
        case 'text-delta':
          return part.delta ? line({ content: part.delta }) : '';
        case 'reasoning-delta':
          return part.delta ? line({ reasoning_content: part.delta }) : '';
        case 'tool-input-start':
        case 'tool-input-delta':
        case 'tool-call':
          return toolLine(part);
        default:
          return '';
      }
    },
    /** The last chunk (the finish reason), then the usage chunk when asked for, then [DONE]. */
    finish(reason: FinishReason, usage: Usage): string {
      const last = `data: ${head}{}${tail.replace('"finish_reason":null', `"finish_reason":"${reason}"`)}\n\n`;
      const usageLine = includeUsage
        ? `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":null,"choices":[],"usage":${JSON.stringify(usage)}}\n\n`
        : '';
      return `${last}${usageLine}data: [DONE]\n\n`;
    },
  };
}

/** An error after the stream began: OpenAI sends it as an event carrying `error`, then ends the stream. */
export function errorLine(body: object): string {
  return `data: ${JSON.stringify(body)}\n\n`;
}

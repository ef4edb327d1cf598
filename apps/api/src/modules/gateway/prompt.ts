// An OpenAI chat completion request as the AI SDK's provider interface takes it (LanguageModelV4 call options), so
// one mapping serves every provider kind: the kind's AI SDK package writes the provider's own request.
import type { LanguageModelV4CallOptions, LanguageModelV4Message } from '@ai-sdk/provider';
import type { ProviderKind } from '../providers/index.ts';
import { invalid } from './errors.ts';
import type { ChatCompletionRequest, ChatMessage, TextContent, UserContent } from './schema.ts';

type CallOptions = Omit<LanguageModelV4CallOptions, 'abortSignal' | 'headers'>;
type UserPart = Extract<LanguageModelV4Message, { role: 'user' }>['content'][number];
type AssistantPart = Extract<LanguageModelV4Message, { role: 'assistant' }>['content'][number];

export function toCallOptions(request: ChatCompletionRequest, kind: ProviderKind): CallOptions {
  return {
    prompt: toPrompt(request.messages),
    ...sampling(request),
    ...toolOptions(request),
    ...formatOptions(request),
    ...(request.parallel_tool_calls === false ? { providerOptions: noParallelToolCalls(kind) } : {}),
  };
}

/** Only what the client set: an option left out stays the provider's default. */
function defined<T extends object>(entries: T): Partial<T> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

function sampling(r: ChatCompletionRequest): Partial<CallOptions> {
  return defined({
    maxOutputTokens: r.max_completion_tokens ?? r.max_tokens ?? undefined,
    temperature: r.temperature ?? undefined,
    topP: r.top_p ?? undefined,
    presencePenalty: r.presence_penalty ?? undefined,
    frequencyPenalty: r.frequency_penalty ?? undefined,
    seed: r.seed ?? undefined,
    stopSequences: typeof r.stop === 'string' ? [r.stop] : (r.stop ?? undefined),
    reasoning: r.reasoning_effort ?? undefined,
  });
}

function toolOptions(r: ChatCompletionRequest): Partial<CallOptions> {
  const options: Partial<CallOptions> = {};
  if (r.tools && r.tools.length > 0) {
    options.tools = r.tools.map(({ function: f }) => ({
      type: 'function' as const,
      name: f.name,
      inputSchema: (f.parameters ?? { type: 'object', properties: {} }) as never,
      ...defined({ description: f.description, strict: f.strict ?? undefined }),
    }));
  }
  const choice = r.tool_choice;
  if (typeof choice === 'string') options.toolChoice = { type: choice };
  else if (choice) {
    if (!r.tools?.some((t) => t.function.name === choice.function.name)) {
      throw invalid(`tool_choice names a function that is not in tools: ${choice.function.name}`, 'tool_choice');
    }
    options.toolChoice = { type: 'tool', toolName: choice.function.name };
  }
  return options;
}

function formatOptions(r: ChatCompletionRequest): Partial<CallOptions> {
  const format = r.response_format;
  if (format?.type === 'json_object') return { responseFormat: { type: 'json' } };
  if (format?.type !== 'json_schema') return {};
  const { name, description, schema } = format.json_schema;
  return { responseFormat: { type: 'json', name, ...defined({ description, schema: schema as never }) } };
}

/** `parallel_tool_calls: false` in each provider's own words; a provider without such a switch refuses it. */
function noParallelToolCalls(kind: ProviderKind): NonNullable<CallOptions['providerOptions']> {
  switch (kind) {
    case 'openai':
      return { openai: { parallelToolCalls: false } };
    case 'anthropic':
      return { anthropic: { disableParallelToolUse: true } };
    case 'openai-compatible':
      // Unknown keys of the provider's own options are passed through into the request body.
      return { openaiCompatible: { parallel_tool_calls: false } };
    default:
      throw invalid(`parallel_tool_calls: false is not supported by ${kind} providers`, 'parallel_tool_calls');
  }
}

function textOf(content: TextContent): string {
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}

function toPrompt(messages: ChatMessage[]): LanguageModelV4Message[] {
  // Tool results name their call's id only; the providers that want the tool's name get it from the call.
  const toolNames = new Map<string, string>();
  const prompt: LanguageModelV4Message[] = [];
  for (const [index, m] of messages.entries()) {
    if (m.role === 'system' || m.role === 'developer') prompt.push({ role: 'system', content: textOf(m.content) });
    else if (m.role === 'user') prompt.push({ role: 'user', content: userParts(m.content, index) });
    else if (m.role === 'assistant') prompt.push(assistantMessage(m, index, toolNames));
    else if (m.role === 'tool') {
      const part = toolResult(m, index, toolNames);
      // Consecutive tool results belong to one tool message.
      const last = prompt.at(-1);
      if (last?.role === 'tool') last.content.push(part);
      else prompt.push({ role: 'tool', content: [part] });
    } else throw invalid(`messages[${index}] has a role the gateway does not take`, `messages[${index}].role`);
  }
  return prompt;
}

function assistantMessage(
  m: Extract<ChatMessage, { role: 'assistant' }>,
  index: number,
  toolNames: Map<string, string>,
): LanguageModelV4Message {
  const content: AssistantPart[] = [];
  const text =
    typeof m.content === 'string'
      ? m.content
      : (m.content ?? []).map((p) => (p.type === 'text' ? p.text : p.refusal)).join('');
  if (text) content.push({ type: 'text', text });
  for (const [c, call] of (m.tool_calls ?? []).entries()) {
    toolNames.set(call.id, call.function.name);
    content.push({
      type: 'tool-call',
      toolCallId: call.id,
      toolName: call.function.name,
      input: parseArguments(call.function.arguments, `messages[${index}].tool_calls[${c}].function.arguments`),
    });
  }
  return { role: 'assistant', content };
}

function toolResult(m: Extract<ChatMessage, { role: 'tool' }>, index: number, toolNames: Map<string, string>) {
  const toolName = toolNames.get(m.tool_call_id);
  if (!toolName) {
    throw invalid(
      `tool_call_id ${m.tool_call_id} answers no tool call of an earlier assistant message`,
      `messages[${index}].tool_call_id`,
    );
  }
  return {
    type: 'tool-result' as const,
    toolCallId: m.tool_call_id,
    toolName,
    output: { type: 'text' as const, value: textOf(m.content) },
  };
}

function parseArguments(text: string, param: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    throw invalid('tool call arguments must be a JSON string', param);
  }
}

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(;[^,]*)?;base64,(.*)$/s;

function userParts(content: UserContent, index: number): UserPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, p): UserPart => {
    const param = `messages[${index}].content[${p}]`;
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'image_url':
        return { type: 'file', mediaType: 'image', data: fileData(part.image_url.url, `${param}.image_url.url`) };
      case 'file': {
        const match = DATA_URL.exec(part.file.file_data ?? '');
        if (!match?.[1])
          throw invalid('file_data must be a base64 data URL with a media type', `${param}.file.file_data`);
        return {
          type: 'file',
          mediaType: match[1],
          data: { type: 'data', data: match[3] ?? '' },
          ...(part.file.filename ? { filename: part.file.filename } : {}),
        };
      }
      default:
        throw invalid('audio input is not supported', param);
    }
  });
}

/** A data URL is sent as its bytes; an http(s) URL is handed to the provider, which fetches it (we never do). */
function fileData(url: string, param: string): Extract<UserPart, { type: 'file' }>['data'] {
  const match = DATA_URL.exec(url);
  if (match) return { type: 'data', data: match[3] ?? '' };
  if (/^https?:\/\//i.test(url) && URL.canParse(url)) return { type: 'url', url: new URL(url) };
  throw invalid('image_url.url must be an http(s) URL or a base64 data URL', param);
}

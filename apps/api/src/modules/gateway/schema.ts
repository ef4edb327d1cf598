// The request of POST /v1/chat/completions, as OpenAI documents it. Options the gateway cannot honour for every
// provider are named here and refused by `refusal()` with a message that says so, never dropped silently; an
// argument OpenAI does not know is refused as OpenAI refuses it ("Unrecognized request argument").
import { z } from 'zod';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const ImagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const AudioPart = z.object({ type: z.literal('input_audio'), input_audio: z.unknown() });
const FilePart = z.object({
  type: z.literal('file'),
  file: z.object({
    file_data: z.string().optional(),
    file_id: z.string().optional(),
    filename: z.string().optional(),
  }),
});
const RefusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });

const TextContent = z.union([z.string(), z.array(TextPart)]);
export type TextContent = z.infer<typeof TextContent>;
const UserContent = z.union([
  z.string(),
  z.array(z.discriminatedUnion('type', [TextPart, ImagePart, AudioPart, FilePart])),
]);
export type UserContent = z.infer<typeof UserContent>;

const ToolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const Message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: TextContent, name: z.string().optional() }),
  z.object({ role: z.literal('developer'), content: TextContent, name: z.string().optional() }),
  z.object({ role: z.literal('user'), content: UserContent, name: z.string().optional() }),
  z.object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [TextPart, RefusalPart]))]).nullish(),
    tool_calls: z.array(ToolCall).nullish(),
    refusal: z.string().nullish(),
    name: z.string().optional(),
    audio: z.unknown().optional(),
    function_call: z.unknown().optional(),
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: TextContent }),
  z.object({ role: z.literal('function'), name: z.string().optional(), content: z.unknown() }),
]);
export type ChatMessage = z.infer<typeof Message>;

const FunctionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, _ or -' }),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const nullable = <T extends z.ZodType>(schema: T) => schema.nullish();

export const ChatCompletionRequest = z.strictObject({
  model: z.string().min(1),
  messages: z.array(Message).min(1, { error: 'at least one message is required' }),
  temperature: nullable(z.number().min(0).max(2)),
  top_p: nullable(z.number().min(0).max(1)),
  max_tokens: nullable(z.int().min(1)),
  max_completion_tokens: nullable(z.int().min(1)),
  stop: nullable(z.union([z.string(), z.array(z.string()).max(4)])),
  seed: nullable(z.int()),
  presence_penalty: nullable(z.number().min(-2).max(2)),
  frequency_penalty: nullable(z.number().min(-2).max(2)),
  tools: nullable(z.array(FunctionTool).max(128)),
  tool_choice: nullable(ToolChoice),
  parallel_tool_calls: nullable(z.boolean()),
  response_format: nullable(ResponseFormat),
  reasoning_effort: nullable(z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'])),
  stream: nullable(z.boolean()),
  stream_options: nullable(
    z.object({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }),
  ),
  /** Store the exchange as a Parley chat (x-parley-chat-id does the same for an existing chat). */
  store: nullable(z.boolean()),
  // Informational only: they change nothing of the answer, so accepting them hides nothing.
  user: nullable(z.string()),
  metadata: nullable(z.record(z.string(), z.string())),
  safety_identifier: nullable(z.string()),
  prompt_cache_key: nullable(z.string()),
  // Refused below unless given their default value.
  n: nullable(z.int()),
  audio: z.unknown().optional(),
  modalities: nullable(z.array(z.string())),
  logprobs: nullable(z.boolean()),
  top_logprobs: nullable(z.int()),
  logit_bias: nullable(z.record(z.string(), z.number())),
  prediction: z.unknown().optional(),
  web_search_options: z.unknown().optional(),
  service_tier: nullable(z.string()),
  verbosity: nullable(z.string()),
  functions: z.unknown().optional(),
  function_call: z.unknown().optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export interface Refusal {
  param: string;
  message: string;
}

type Check = (r: ChatCompletionRequest) => Refusal | null | false;

/** Options with no counterpart in every provider, each refused unless given its default value. */
const OPTION_CHECKS: Check[] = [
  (r) => r.n != null && r.n !== 1 && { param: 'n', message: 'n must be 1: the gateway returns one choice per call' },
  (r) => r.audio != null && { param: 'audio', message: 'audio output is not supported' },
  (r) =>
    r.modalities?.some((m) => m !== 'text') === true && {
      param: 'modalities',
      message: 'audio output is not supported',
    },
  (r) => r.logprobs === true && { param: 'logprobs', message: 'logprobs are not supported' },
  (r) => r.top_logprobs != null && { param: 'top_logprobs', message: 'logprobs are not supported' },
  (r) => Object.keys(r.logit_bias ?? {}).length > 0 && { param: 'logit_bias', message: 'logit_bias is not supported' },
  (r) => r.prediction != null && { param: 'prediction', message: 'predicted outputs are not supported' },
  (r) => r.web_search_options != null && { param: 'web_search_options', message: 'web search is not supported' },
  (r) =>
    r.service_tier != null &&
    r.service_tier !== 'auto' &&
    r.service_tier !== 'default' && { param: 'service_tier', message: 'service_tier must be auto or default' },
  (r) => r.verbosity != null && { param: 'verbosity', message: 'verbosity is not supported' },
  (r) =>
    (r.functions != null || r.function_call != null) && {
      param: r.functions != null ? 'functions' : 'function_call',
      message: 'functions and function_call are deprecated: use tools and tool_choice',
    },
];

function messageRefusal(m: ChatMessage, at: string): Refusal | null {
  if (m.role === 'function') return { param: `${at}.role`, message: 'the function role is deprecated: use tool' };
  if (m.role === 'assistant' && (m.audio != null || m.function_call != null)) {
    return { param: at, message: 'assistant audio and function_call are not supported' };
  }
  if (m.role !== 'user' || !Array.isArray(m.content)) return null;
  for (const [p, part] of m.content.entries()) {
    if (part.type === 'input_audio') return { param: `${at}.content[${p}]`, message: 'audio input is not supported' };
    if (part.type === 'file' && !part.file.file_data) {
      return {
        param: `${at}.content[${p}].file`,
        message: 'files must be sent inline as file_data (file_id is not supported)',
      };
    }
  }
  return null;
}

/** The first option of a valid request that the gateway does not support, or null. */
export function refusal(request: ChatCompletionRequest): Refusal | null {
  for (const check of OPTION_CHECKS) {
    const refused = check(request);
    if (refused) return refused;
  }
  for (const [index, m] of request.messages.entries()) {
    const refused = messageRefusal(m, `messages[${index}]`);
    if (refused) return refused;
  }
  return null;
}

/** OpenAI's `param` for a Zod issue path: `messages[0].content`. */
export function paramOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

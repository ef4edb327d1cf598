// Opt-in storing (`x-parley-chat-id: <chat>`): the call becomes a chat reply, begun where every reply begins
// (replies' beginSend: the chat's history, the generation limit, the spend cap, checkpoints, the final write) and
// followed on the reply's events, which are shaped as OpenAI's answer. The last message, a user's text, is the
// question; the model sees the chat's history, not the request's other messages. The reply belongs to the server,
// as a chat reply does: a client that leaves does not stop it, and it is in the chat when it ends.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../shared/db/client.ts';
import type { Keyring } from '../../shared/lib/keyring.ts';
import type { Outbound } from '../providers/index.ts';
import { beginSend, type ClientEvent, followReply, type Message, type Replies } from '../replies/index.ts';
import { completionId, createChunkWriter, errorLine, type FinishReason, type Usage } from './completion.ts';
import { GatewayError, invalid, toGatewayError } from './errors.ts';
import type { Resolved } from './models.ts';
import { addUsage } from './repository.ts';
import type { ChatCompletionRequest } from './schema.ts';
import type { Caller } from './service.ts';

export const CHAT_ID_HEADER = 'x-parley-chat-id';

export interface StoredDeps {
  db: Db;
  keyring: Keyring;
  outbound: Outbound;
  replies: Replies;
  log: FastifyBaseLogger;
}

/** What a chat reply cannot take: each is refused by name rather than dropped. */
const NOT_FOR_CHAT_REPLIES = [
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'reasoning_effort',
] as const;

/** The question: the last message, a user's text. Options a chat reply cannot honour are refused. */
export function questionOf(request: ChatCompletionRequest): string {
  const option = NOT_FOR_CHAT_REPLIES.find((name) => request[name] != null);
  if (option && !(option === 'response_format' && request.response_format?.type === 'text')) {
    throw invalid(
      `${option} is not supported with ${CHAT_ID_HEADER}: the reply is a chat reply, made with the chat's settings`,
      option,
      'unsupported_parameter',
    );
  }
  const last = request.messages.at(-1);
  const param = `messages[${request.messages.length - 1}]`;
  if (last?.role !== 'user') throw invalid(`with ${CHAT_ID_HEADER} the last message is the user's question`, param);
  if (typeof last.content === 'string') return last.content;
  if (last.content.some((part) => part.type !== 'text')) {
    throw invalid(`with ${CHAT_ID_HEADER} the question is text only`, `${param}.content`);
  }
  return last.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

const FINISH: Record<string, FinishReason> = { length: 'length', 'content-filter': 'content_filter' };

function usageOfMessage(message: Message): Usage {
  const input = message.usage?.inputTokens ?? 0;
  const output = message.usage?.outputTokens ?? 0;
  return { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
}

interface Begun {
  deps: StoredDeps;
  caller: Caller;
  request: ChatCompletionRequest;
  messageId: string;
  signal: AbortSignal;
}

/** Begins the chat reply; its refusals (chat not found, limits, cap) are HTTP statuses, before anything streams. */
export async function beginStored(
  deps: StoredDeps,
  caller: Caller,
  request: ChatCompletionRequest,
  resolved: Resolved,
  chatId: string,
  signal: AbortSignal,
): Promise<Begun> {
  const text = questionOf(request);
  try {
    const sent = await beginSend({
      db: deps.db,
      userId: caller.userId,
      keyring: deps.keyring,
      outbound: deps.outbound,
      replies: deps.replies,
      input: { chatId, text, providerId: resolved.row.id, model: resolved.model },
    });
    return { deps, caller, request, messageId: sent.assistantMessage.id, signal };
  } catch (error) {
    throw toGatewayError(error);
  }
}

/** The reply's events, until its final one (the signal ends only the following, not the reply). */
async function* events({ deps, caller, messageId, signal }: Begun): AsyncGenerator<ClientEvent> {
  const { replies, db } = deps;
  const follow = followReply({
    db,
    engine: replies.engine,
    hub: replies.hub,
    userId: caller.userId,
    messageId,
    lastEventId: null,
    signal,
  });
  for await (const event of follow) yield (event as unknown as [string, ClientEvent])[1];
}

/** The key's usage (the stored reply itself counts in users.usage through its row). */
function recordKey(begun: Begun, message: Message) {
  const { deps, caller } = begun;
  addUsage(
    deps.db,
    {
      userId: caller.userId,
      apiKeyId: caller.apiKeyId,
      providerId: message.providerId,
      model: message.model,
      inputTokens: message.usage?.inputTokens ?? 0,
      outputTokens: message.usage?.outputTokens ?? 0,
    },
    { daily: false },
  ).catch((error: unknown) => deps.log.error({ err: error }, 'gateway usage not recorded'));
}

const failed = (message: Message) =>
  new GatewayError(502, `Provider error: ${message.error ?? 'the reply failed'}`, { code: 'provider_error' });

/** The whole reply as a `chat.completion` (a failed reply is a 502 with its stored reason). */
export async function storedCompletion(begun: Begun) {
  for await (const event of events(begun)) {
    if (event.type === 'text-delta') continue;
    const message = event.message;
    recordKey(begun, message);
    if (event.type === 'error') throw failed(message);
    return {
      id: completionId(),
      object: 'chat.completion' as const,
      created: Math.floor(Date.now() / 1000),
      model: begun.request.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant' as const, content: message.text, refusal: null },
          logprobs: null,
          finish_reason: FINISH[message.finishReason ?? ''] ?? ('stop' as FinishReason),
        },
      ],
      usage: usageOfMessage(message),
    };
  }
  throw new GatewayError(502, 'Provider error: the reply ended without a final event', { code: 'provider_error' });
}

/** The reply as SSE chunks, ending in [DONE] (or an error line). */
export async function* storedChunks(begun: Begun): AsyncGenerator<string> {
  const writer = createChunkWriter({
    model: begun.request.model,
    includeUsage: begun.request.stream_options?.include_usage === true,
  });
  yield writer.start();
  for await (const event of events(begun)) {
    if (event.type === 'text-delta') {
      yield writer.part({ type: 'text-delta', id: 'txt', delta: event.delta });
      continue;
    }
    recordKey(begun, event.message);
    if (event.type === 'error') {
      yield errorLine(failed(event.message).body());
      return;
    }
    yield writer.finish(FINISH[event.message.finishReason ?? ''] ?? 'stop', usageOfMessage(event.message));
    return;
  }
}

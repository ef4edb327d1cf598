// What the OpenAPI document says beyond what trpc-to-openapi generates from the procedures: a summary for every
// procedure (a test fails when one is missing), and the routes that are not procedures — Better Auth's, the tRPC
// event streams, and the OpenAI-compatible gateway — written here by hand, each at the server's root URL.

import { PAGING_DOC } from './lib/paging.ts';

type Json = Record<string, unknown>;

/** A summary and a description per procedure (operationId: its path with dashes), used where its meta has none. */
export const PROCEDURE_DOCS: Record<string, { summary: string; description: string }> = {
  'auth-getSession': {
    summary: 'The signed-in user and session, or null',
    description:
      "Public: answers null when no session cookie or API key names anyone. The same as Better Auth's GET /api/auth/get-session.",
  },
  'auth-listSessions': {
    summary: "The caller's sessions, the current one marked",
    description: 'Unexpired sessions, newest first, with the address and user agent each was made from.',
  },
  'auth-revokeSession': {
    summary: 'Sign one of your sessions out',
    description:
      "The session ends at once, on every server (the current one included). Another user's session id is SESSION_NOT_FOUND.",
  },
  'auth-revokeOtherSessions': {
    summary: 'Sign out every session but this one',
    description: 'Answers how many sessions ended.',
  },
  'auth-apiKeys-list': {
    summary: 'Your API keys (never their secret)',
    description: 'Names, first characters, creation, expiry and last use (written at most once a minute).',
  },
  'auth-apiKeys-create': {
    summary: 'Create an API key; the key is shown this once',
    description:
      'Send it as x-api-key (tRPC, /api/v1) or as Authorization: Bearer (the gateway, /v1). Only its hash is stored. expiresInDays: 1 to 365, none by default.',
  },
  'auth-apiKeys-revoke': {
    summary: 'Revoke an API key',
    description: 'The key is refused from the next request on, on every server.',
  },
  'providers-kinds': {
    summary: 'The provider kinds the server can call, with what each needs',
    description:
      'Public. openai, anthropic, google and openai-compatible (Ollama, vLLM, LM Studio, OpenRouter, Groq, \u2026 at baseUrl).',
  },
  'providers-list': {
    summary: 'Your providers (keys shown only as a hint)',
    description: 'Oldest first. A key shows only as apiKeyHint (at most its first 3 and last 4 characters).',
  },
  'providers-get': {
    summary: 'One of your providers',
    description: "Another user's provider is PROVIDER_NOT_FOUND.",
  },
  'providers-create': {
    summary: 'Add a provider with its API key (stored encrypted)',
    description:
      'The key is encrypted (AES-256-GCM) before it is stored and never leaves the server again. baseUrl is checked (scheme, address; private and loopback addresses only when PROVIDER_URL_ALLOWLIST names them). Your first provider becomes your default. A name you already use is PROVIDER_NAME_TAKEN.',
  },
  'providers-update': {
    summary: 'Change a provider (name, key, base URL, default model, prices)',
    description:
      'apiKey: a new key replaces the old one; null removes it. Prices are per million tokens, in your currency (users.usage reports cost from them).',
  },
  'providers-delete': {
    summary: 'Remove a provider',
    description:
      'Its key goes with it. When it was your default, your oldest remaining provider becomes the default; chats that named it continue on your default.',
  },
  'providers-test': {
    summary: 'Call the provider now: reachable, key accepted, models listed',
    description:
      "Answers ok, latencyMs, the models it lists and a key-free reason when it fails (never the provider's own words). Bounded by PROVIDER_TIMEOUT_MS.",
  },
  'providers-models': {
    summary: "The provider's model ids, from its own list",
    description: 'PROVIDER_UNREACHABLE (502) when the provider cannot be reached or refuses.',
  },
  'chat-list': {
    summary: 'Your chats, most recently updated first',
    description: `Search matches titles. ${PAGING_DOC}`,
  },
  'chat-get': {
    summary: 'One chat',
    description: "Another user's chat is CHAT_NOT_FOUND, never FORBIDDEN.",
  },
  'chat-create': {
    summary: 'Start a chat',
    description:
      'Optionally naming its provider, model and system prompt; otherwise your defaults apply when it is used.',
  },
  'chat-update': {
    summary: "Change a chat's title, provider, model or system prompt",
    description: 'Fields left out stay as they are.',
  },
  'chat-delete': {
    summary: 'Delete a chat and its messages',
    description: 'Replies still generating in it are stopped first.',
  },
  'chat-messages': {
    summary: "A chat's messages, newest first",
    description: `Every branch; chat.history gives the path of one branch. ${PAGING_DOC}`,
  },
  'chat-history': {
    summary: 'The path from the root to a leaf of the chat (default: its current leaf), oldest first',
    description: `Each message carries siblingIds, the messages with the same parent (the branches at that point). Paged from the leaf end. ${PAGING_DOC}`,
  },
  'chat-send': {
    summary: 'Send a message; the reply is generated on the server (follow it with chat.stream)',
    description:
      'Stores your message under parentId (default: the current leaf; an earlier message makes a new branch) and a streaming reply, and starts it; the reply is completed and stored whether or not anyone listens. The same clientRequestId twice returns the first result and calls the provider once. text is at most MAX_MESSAGE_CHARS (MESSAGE_TOO_LONG). Refusals: NO_PROVIDER, TOO_MANY_GENERATIONS (429, MAX_CONCURRENT_GENERATIONS), QUOTA_EXCEEDED (403, your spend cap), all before any provider call.',
  },
  'chat-selectBranch': {
    summary: "Make the newest leaf under a message the chat's current leaf",
    description: 'How a client moves between branches (the siblings of chat.history).',
  },
  'chat-fork': {
    summary: 'Copy the path up to a message into a new chat',
    description: 'The source chat is unchanged; the copy does not count usage twice.',
  },
  'chat-stop': {
    summary: 'Stop a reply that is generating; its partial text is kept',
    description:
      'The provider call is aborted (on whichever server writes the reply) and the reply ends as stopped with what it had.',
  },
  'chat-regenerate': {
    summary: 'A new reply to the same question, beside the earlier ones',
    description:
      "Same parent as the earlier replies; the chat's current leaf moves to it. Limits and cap as chat.send.",
  },
  'users-me': {
    summary: 'You, with your preferences',
    description:
      'The user (id, email, name, image, role, createdAt) and preferences (defaultProviderId, defaultModel, systemPrompt).',
  },
  'users-updateProfile': {
    summary: 'Change your name or image',
    description: 'image is an https: or data:image/ URL.',
  },
  'users-updatePreferences': {
    summary: 'Change your default provider, model and system prompt',
    description: 'Used by chats that name none.',
  },
  'users-usage': {
    summary: 'Tokens and replies by model (or by day), with cost where prices are set',
    description:
      'from and to count whole UTC days, both included. Replies count when they finish; gateway calls count too. cost is null where no price applies.',
  },
  'users-limits': {
    summary: 'Your spend cap and where you stand in the period',
    description:
      'period (day or month), maxTokens (null: no cap), usedTokens, reservedTokens (sends in flight) and resetsAt.',
  },
  'users-setLimits': {
    summary: 'Set your own spend cap (at most what an admin allows)',
    description: 'null removes your own cap. A higher cap than the admin allows is FORBIDDEN.',
  },
  'users-exportData': {
    summary: 'All your data as one document (up to 10,000 messages; GET /api/export streams any size)',
    description: 'No secrets. Larger accounts are PRECONDITION_FAILED, naming /api/export.',
  },
  'users-deleteAccount': {
    summary: 'Delete your account and everything in it',
    description:
      'confirmEmail must be your email. Sessions and API keys die at once and the email is free at once; the rows go in the background.',
  },
  'users-list': {
    summary: 'Every user (admin)',
    description: `Newest first, searchable by email or name. ${PAGING_DOC}`,
  },
  'users-setUserLimits': {
    summary: "Set a user's spend cap (admin)",
    description: 'null falls back to SPEND_CAP_TOKENS. The user may still set a lower cap of their own.',
  },
  'users-setRole': {
    summary: 'Make a user an admin or not (admin)',
    description: 'The last admin cannot be demoted (LAST_ADMIN).',
  },
};

const errorBody: Json = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'] },
        code: { type: ['string', 'null'] },
      },
      required: ['message', 'type', 'param', 'code'],
    },
  },
  required: ['error'],
};

const json = (schema: Json, description: string) => ({ description, content: { 'application/json': { schema } } });
const openAiError = (description: string) => json(errorBody, description);
const eventStream = (description: string) => ({
  description,
  content: { 'text/event-stream': { schema: { type: 'string' } } },
});
const anyObject: Json = { type: 'object', additionalProperties: true };

const user: Json = {
  type: 'object',
  properties: { id: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' } },
  additionalProperties: true,
};

function betterAuth(publicUrl: string): Record<string, Json> {
  const servers = [{ url: publicUrl }];
  const body = (properties: Json, required: string[]) => ({
    required: true,
    content: { 'application/json': { schema: { type: 'object', properties, required } } },
  });
  return {
    '/api/auth/sign-up/email': {
      servers,
      post: {
        operationId: 'betterAuth-signUpEmail',
        tags: ['auth'],
        summary: 'Create an account with email and password; signs you in (session cookie)',
        description:
          "Better Auth's own route and wire format. The password is at least 8 characters and not a common one; the " +
          'answer sets the HTTP-only session cookie. Attempts are rate limited per address and per email.',
        requestBody: body(
          {
            email: { type: 'string', format: 'email' },
            password: { type: 'string', minLength: 8 },
            name: { type: 'string' },
            image: { type: 'string' },
          },
          ['email', 'password', 'name'],
        ),
        responses: {
          '200': json({ type: 'object', properties: { token: { type: ['string', 'null'] }, user } }, 'Signed up'),
          '400': json(anyObject, 'Invalid input, a common password, or the email is taken'),
          '429': json(anyObject, 'Too many attempts; see Retry-After'),
        },
      },
    },
    '/api/auth/sign-in/email': {
      servers,
      post: {
        operationId: 'betterAuth-signInEmail',
        tags: ['auth'],
        summary: 'Sign in with email and password (session cookie)',
        description: "Better Auth's own route. Failed attempts are counted per account and per address.",
        requestBody: body(
          {
            email: { type: 'string', format: 'email' },
            password: { type: 'string' },
            rememberMe: { type: 'boolean' },
          },
          ['email', 'password'],
        ),
        responses: {
          '200': json({ type: 'object', properties: { token: { type: 'string' }, user } }, 'Signed in'),
          '401': json(anyObject, 'Wrong email or password'),
          '429': json(anyObject, 'Too many attempts; see Retry-After'),
        },
      },
    },
    '/api/auth/sign-out': {
      servers,
      post: {
        operationId: 'betterAuth-signOut',
        tags: ['auth'],
        summary: 'Sign this session out (clears the cookie)',
        description: "Better Auth's own route. A browser's call carries an Origin the server trusts.",
        responses: { '200': json({ type: 'object', properties: { success: { type: 'boolean' } } }, 'Signed out') },
      },
    },
    '/api/auth/get-session': {
      servers,
      get: {
        operationId: 'betterAuth-getSession',
        tags: ['auth'],
        summary: 'The session of the cookie sent, or null',
        description: "Better Auth's own route (auth.getSession is the same over tRPC and /api/v1/auth/session).",
        responses: { '200': json({ type: ['object', 'null'], additionalProperties: true }, 'The session or null') },
      },
    },
  };
}

function streams(publicUrl: string): Record<string, Json> {
  const servers = [{ url: publicUrl }];
  const input = (description: string) => ({
    name: 'input',
    in: 'query',
    required: true,
    description,
    schema: { type: 'string' },
  });
  const lastEventId = {
    name: 'Last-Event-ID',
    in: 'header',
    required: false,
    description: 'The id of the last event you received: only what follows it is sent (also accepted in the input).',
    schema: { type: 'string' },
  };
  return {
    '/trpc/chat.stream': {
      servers,
      get: {
        operationId: 'stream-chatStream',
        tags: ['chat'],
        summary: 'Follow a reply as server-sent events, resuming after the last event you saw',
        description:
          'A tRPC subscription over SSE (what httpSubscriptionLink reads; `curl -N` reads it too). Each event is ' +
          '`data: {"json":{"type":"text-delta","delta":"…"}}` with `id: <n>`, then exactly one `finish` or `error` event ' +
          'carrying the stored message. Event ids are the length of the text so far: reconnect with the last one to ' +
          'get only the rest. A reply that already ended is replayed whole. Authenticate with x-api-key or the ' +
          'session cookie.',
        parameters: [input('superjson JSON, URL-encoded: `{"json":{"messageId":"…","lastEventId":"…"}}`'), lastEventId],
        responses: {
          '200': eventStream('The reply, event by event'),
          '401': json(anyObject, 'Not signed in'),
          '404': json(anyObject, 'No such message of yours'),
        },
      },
    },
    '/trpc/chat.sendAndStream': {
      servers,
      get: {
        operationId: 'stream-chatSendAndStream',
        tags: ['chat'],
        summary: 'Send a message and follow its reply in one request (server-sent events)',
        description:
          'The input of chat.send. The first event is `{"type":"started","userMessage":…,"assistantMessage":…}`, ' +
          'then the events of chat.stream. Send a clientRequestId: a reconnect with it resumes instead of asking ' +
          'again.',
        parameters: [input('superjson JSON, URL-encoded: `{"json":{"chatId":"…","text":"…","clientRequestId":"…"}}`')],
        responses: {
          '200': eventStream('started, then the reply event by event'),
          '401': json(anyObject, 'Not signed in'),
        },
      },
    },
    '/api/export': {
      servers,
      get: {
        operationId: 'http-export',
        tags: ['users'],
        summary: 'Download all your data as one JSON document, streamed (any size)',
        description: 'The shape of users.exportData, as an attachment. Authenticate with x-api-key or the cookie.',
        responses: { '200': json(anyObject, 'The export'), '401': json(anyObject, 'Not signed in') },
      },
    },
    '/api/import': {
      servers,
      post: {
        operationId: 'http-import',
        tags: ['chat'],
        summary: 'Import a ChatGPT conversations.json or a Parley export (the body), streamed; idempotent',
        description:
          'Each conversation becomes a chat with the same tree (ChatGPT: mapping and current_node), stored whole or ' +
          'not at all; one imported before is skipped. Answers `{ chats, messages, skipped, errors: [{ conversation, ' +
          'reason }], notes: [{ reason, count }] }`. A file that is not valid JSON to its end is 400, one over 1 GiB ' +
          '413, each with `report`: what was imported before. Authenticate with x-api-key or the cookie.',
        parameters: [
          {
            name: 'format',
            in: 'query',
            required: true,
            schema: { type: 'string', enum: ['chatgpt', 'parley'] },
          },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: anyObject } } },
        responses: {
          '200': json(anyObject, 'The report'),
          '400': json(anyObject, 'Not a file of that format (with the report so far)'),
          '401': json(anyObject, 'Not signed in'),
          '413': json(anyObject, 'The file is too large (with the report so far)'),
        },
      },
    },
  };
}

const chatRequest: Json = {
  type: 'object',
  description:
    "OpenAI's chat completion request. Supported: system, developer, user (text, image_url, file_data), assistant " +
    '(with tool_calls) and tool messages; temperature, top_p, max_tokens / max_completion_tokens, stop, seed, ' +
    'presence_penalty, frequency_penalty, tools, tool_choice, parallel_tool_calls, response_format (where the ' +
    'provider supports it), reasoning_effort, stream, stream_options.include_usage. Refused with 400: n > 1, audio, ' +
    'logprobs, logit_bias, predictions, web search, functions, and any argument OpenAI does not define.',
  properties: {
    model: {
      type: 'string',
      description: '`<provider name or id>/<model>`, or a provider alone for its default model',
    },
    messages: { type: 'array', items: anyObject, minItems: 1 },
    stream: { type: 'boolean' },
    stream_options: { type: 'object', properties: { include_usage: { type: 'boolean' } } },
    tools: { type: 'array', items: anyObject },
    tool_choice: {},
    response_format: anyObject,
    temperature: { type: 'number' },
    max_tokens: { type: 'integer' },
  },
  required: ['model', 'messages'],
  additionalProperties: true,
};

function gateway(publicUrl: string): Record<string, Json> {
  const servers = [{ url: publicUrl }];
  const security = [{ bearerApiKey: [] }];
  const errors = {
    '400': openAiError('Bad input, or an option the gateway does not support'),
    '401': openAiError('No API key, or an invalid, expired or revoked one'),
    '403': openAiError('Over your spend cap (insufficient_quota)'),
    '404': openAiError('No such model among your providers (model_not_found)'),
    '429': openAiError('Too many requests or generations at once; see Retry-After'),
    '502': openAiError('The provider failed or refused (its own words are never passed on)'),
    '504': openAiError('The provider did not answer in time'),
  };
  return {
    '/v1/models': {
      servers,
      get: {
        operationId: 'gateway-models',
        tags: ['gateway'],
        summary: 'OpenAI-compatible: the models of your providers, as `<provider>/<model>`',
        description: "OpenAI's list shape. Each provider's own model list (kept a minute), else its default model.",
        security,
        responses: {
          '200': json(
            {
              type: 'object',
              properties: {
                object: { const: 'list' },
                data: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'string' },
                      object: { const: 'model' },
                      created: { type: 'integer' },
                      owned_by: { type: 'string' },
                    },
                  },
                },
              },
            },
            'The models',
          ),
          '401': errors['401'],
        },
      },
    },
    '/v1/models/{model}': {
      servers,
      get: {
        operationId: 'gateway-model',
        tags: ['gateway'],
        summary: 'OpenAI-compatible: one of your models by its id',
        description: "OpenAI's model shape (the SDKs' models.retrieve). The id holds a slash; an unknown one is 404.",
        security,
        parameters: [
          {
            name: 'model',
            in: 'path',
            required: true,
            description: '`<provider>/<model>`',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': json(anyObject, 'The model, as in the list'),
          '401': errors['401'],
          '404': errors['404'],
        },
      },
    },
    '/v1/chat/completions': {
      servers,
      post: {
        operationId: 'gateway-chatCompletions',
        tags: ['gateway'],
        summary: 'OpenAI-compatible chat completion through one of your providers (streaming or not)',
        description:
          'Point any OpenAI client at `<server>/v1` with a Parley API key as the key. The provider is called with ' +
          'its key on the server; usage is recorded per user, key and model, counts against your spend cap, and ' +
          'shares the limit on generations at once with chat. Nothing of the conversation is stored unless ' +
          '`x-parley-chat-id` names one of your chats: then the call is a reply of that chat (its history, stored). With ' +
          '`stream: true` the answer is `text/event-stream`: `data: {chat.completion.chunk}` lines, a usage chunk ' +
          'when stream_options.include_usage is set, then `data: [DONE]`; a failure after the stream began is a ' +
          '`data: {"error":…}` line. A client that disconnects ends the provider call.',
        security,
        parameters: [
          {
            name: 'x-parley-chat-id',
            in: 'header',
            required: false,
            description: 'Store the call as a reply of this chat (the last message is the question)',
            schema: { type: 'string' },
          },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: chatRequest } } },
        responses: {
          '200': {
            description: 'A chat.completion, or (stream: true) server-sent chat.completion.chunk events',
            content: { 'application/json': { schema: anyObject }, 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...errors,
        },
      },
    },
  };
}

/** Every operation this file adds, by operationId (they are not procedures). */
export function extraPaths(publicUrl: string): Record<string, Json> {
  return { ...betterAuth(publicUrl), ...streams(publicUrl), ...gateway(publicUrl) };
}

export const EXTRA_TAGS = [
  { name: 'gateway', description: 'OpenAI-compatible API: any OpenAI client, your providers, a Parley API key' },
];

export const BEARER_SCHEME = {
  bearerApiKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'A Parley API key as `Authorization: Bearer <key>` (the gateway, /v1)',
  },
};

// The OpenAI-compatible gateway (API.md): GET /v1/models and POST /v1/chat/completions, authenticated by a Parley
// API key as `Authorization: Bearer <key>`, answering in OpenAI's shapes, statuses and error bodies, so any OpenAI
// client (the official SDKs, LangChain, editors) can use the caller's providers without ever holding their keys.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ContextDeps } from '../../shared/context.ts';
import { CredentialError, hashApiKey } from '../../shared/session-lookup.ts';
import { GatewayError, invalid, toGatewayError } from './errors.ts';
import { listModels } from './models.ts';
import { findOwnedByKeyHash, findProviders } from './repository.ts';
import { type Caller, createCompletion, type GatewayDeps, prepareCompletion, streamCompletion } from './service.ts';
import { beginStored, CHAT_ID_HEADER, storedChunks, storedCompletion } from './stored.ts';

export const GATEWAY_PREFIX = '/v1';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The key from `Authorization: Bearer`, as every OpenAI client sends it (not `x-api-key`: the rate limiter would look
 * that up and count it a second time). Cookies are not read: the gateway is for programs, and a
 * cookie-authenticated cross-site POST is what CSRF is made of.
 */
function apiKeyOf(request: FastifyRequest): string {
  const authorization = request.headers.authorization;
  const key = authorization && BEARER.exec(authorization)?.[1];
  if (key) return key;
  throw new GatewayError(
    401,
    "You didn't provide an API key. Send a Parley API key as 'Authorization: Bearer <key>' (create one with auth.apiKeys.create or in the web app).",
    { code: 'missing_api_key' },
  );
}

/** The key looked up as the rest of Parley looks up keys (session-lookup.ts): invalid 401, over its limit 429. */
async function authenticate(deps: ContextDeps, request: FastifyRequest, key: string): Promise<Caller> {
  try {
    const found = await deps.sessions.resolve({ get: (name) => (name === 'x-api-key' ? key : null) });
    if (found?.via !== 'apiKey') throw new CredentialError('invalid-key');
    request.userId = found.user.id;
    return { userId: found.user.id, apiKeyId: found.session.id };
  } catch (error) {
    if (error instanceof CredentialError && error.reason === 'rate-limited') {
      throw new GatewayError(429, 'This API key made too many requests; try again in a minute.', {
        code: 'rate_limit_exceeded',
        retryAfter: 60,
      });
    }
    if (error instanceof CredentialError) {
      throw new GatewayError(401, 'Incorrect API key provided: it is invalid, expired or revoked.', {
        code: 'invalid_api_key',
      });
    }
    throw toGatewayError(error);
  }
}

function send(reply: FastifyReply, error: GatewayError) {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  return reply.code(error.status).send(error.body());
}

export async function gatewayPlugin(app: FastifyInstance, deps: ContextDeps) {
  // Its own scope under /v1, so errors and unknown paths there answer in OpenAI's shape and nowhere else.
  await app.register((scope) => gatewayRoutes(scope, deps), { prefix: GATEWAY_PREFIX });
}

async function gatewayRoutes(app: FastifyInstance, deps: ContextDeps) {
  const gatewayDeps = (request: FastifyRequest): GatewayDeps => ({
    db: deps.db,
    keyring: deps.config.encryptionKeys,
    outbound: deps.outbound,
    replies: deps.replies,
    log: request.log,
  });

  // Everything that fails under /v1 (bad JSON, a body too large, our own refusals) answers in OpenAI's shape.
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    const failure =
      error instanceof GatewayError || !status || status >= 500
        ? toGatewayError(error)
        : new GatewayError(status, (error as Error).message, { code: (error as { code?: string }).code ?? null });
    if (failure.status >= 500 && failure.status !== 503) request.log.error({ err: error }, 'gateway request failed');
    return send(reply, failure);
  });
  app.setNotFoundHandler((request, reply) =>
    send(reply, new GatewayError(404, `Invalid URL (${request.method} ${request.url.split('?', 1)[0]})`)),
  );

  const models = async (request: FastifyRequest) => {
    const caller = await authenticate(deps, request, apiKeyOf(request));
    const rows = await findProviders(deps.db, caller.userId);
    return listModels({
      db: deps.db,
      userId: caller.userId,
      rows,
      keyring: deps.config.encryptionKeys,
      outbound: deps.outbound,
    });
  };

  app.get('/models', async (request) => ({ object: 'list', data: await models(request) }));

  // One model (`models.retrieve`); ids hold a slash, so the rest of the path is the id.
  app.get('/models/*', async (request) => {
    const id = decodeURIComponent((request.params as { '*': string })['*']);
    const found = (await models(request)).find((model) => model.id === id);
    if (found) return found;
    throw new GatewayError(404, `The model '${id}' does not exist or you do not have access to it.`, {
      param: 'model',
      code: 'model_not_found',
    });
  });

  app.post('/chat/completions', async (request, reply) => {
    const key = apiKeyOf(request);
    // The caller's providers are read beside the key's check (one round trip, not two); used only if it passes.
    const owned = findOwnedByKeyHash(deps.db, hashApiKey(key));
    owned.catch(() => {});
    const caller = await authenticate(deps, request, key);
    const gateway = gatewayDeps(request);
    const prepared = await prepareCompletion(gateway, caller, request.body, owned);
    // A client that leaves before the answer is complete ends the provider call.
    const left = new AbortController();
    const gone = () => {
      if (!reply.raw.writableEnded) left.abort(new Error('the client closed the connection'));
    };
    reply.raw.on('close', gone);
    if (request.raw.socket?.destroyed) gone(); // it left while the request was being checked

    const chatId = request.headers[CHAT_ID_HEADER];
    if (typeof chatId === 'string' || prepared.request.store === true) {
      if (typeof chatId !== 'string' || !chatId) {
        throw invalid(`store: true needs the ${CHAT_ID_HEADER} header naming one of your chats`, 'store');
      }
      // Stored as a chat reply: it belongs to the server, so the client leaving ends only its following.
      const begun = await beginStored(gateway, caller, prepared.request, prepared.resolved, chatId, left.signal);
      if (!prepared.request.stream) return storedCompletion(begun);
      return sendStream(reply, storedChunks(begun));
    }
    if (!prepared.request.stream) return createCompletion(gateway, caller, prepared, left.signal);
    return sendStream(reply, await streamCompletion(gateway, caller, prepared, left.signal));
  });
}

function sendStream(reply: FastifyReply, chunks: AsyncGenerator<string>) {
  return reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-accel-buffering', 'no')
    .send(Readable.from(chunks, { objectMode: false }));
}

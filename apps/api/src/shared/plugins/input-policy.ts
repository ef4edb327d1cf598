// The input policy (lib/input-policy.ts) at the HTTP edge, for every route: JSON bodies nested deeper than
// MAX_DEPTH are refused with 400 before JSON.parse (a 10,000-deep body made Better Auth and REST writes recurse
// into a 500), and parsed bodies and query strings with a NUL byte or a lone surrogate are refused with 400 naming
// the field. tRPC's adapter parses its own bodies (it keeps them as text): the depth check runs on that text in
// preValidation, and shared/trpc.ts checks each procedure's input once deserialized.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { inputFault, jsonTooDeep, MAX_DEPTH } from '../lib/input-policy.ts';

class InputRefused extends Error {
  override name = 'InputRefused';
  statusCode = 400;
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const tooDeep = () => new InputRefused('BODY_TOO_DEEP', `The JSON body is nested deeper than ${MAX_DEPTH} levels`);

function faultIn(value: unknown, where: string): InputRefused | null {
  const fault = inputFault(value);
  if (!fault) return null;
  const field = fault.field ? `${where}.${fault.field}` : where;
  return new InputRefused('VALIDATION_FAILED', `${field} ${fault.message}`);
}

/**
 * Bodies of calls that carry no message text are small (the largest is a 20,000-character system prompt, ~120 KB
 * when every character is escaped): they get this limit; a message write keeps BODY_LIMIT_BYTES (the route's).
 */
export const SMALL_BODY_LIMIT = 256 * 1024;

/** tRPC calls (batched too) and REST routes whose body may carry a message's text. */
function carriesMessage(url: string): boolean {
  const path = url.split('?', 1)[0] as string;
  if (path.startsWith('/trpc/')) return /(^|,)chat\.send/.test(path.slice('/trpc/'.length));
  if (path === '/v1/chat/completions') return true; // the OpenAI-compatible gateway (modules/gateway)
  if (path === '/api/import') return true; // read as a stream, with its own bound (modules/chat/import-route.ts)
  return /^\/api\/v1\/chats\/[^/]+\/messages\/?$/.test(path);
}

function bodyTooLarge(request: FastifyRequest): InputRefused | null {
  const length = Number(request.headers['content-length']);
  if (!(length > SMALL_BODY_LIMIT) || carriesMessage(request.url)) return null;
  const refused = new InputRefused('FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large');
  return Object.assign(refused, { statusCode: 413 });
}

/** Call on the root instance before any plugin is registered: content-type parsers and hooks are inherited. */
export function addInputPolicy(app: FastifyInstance): void {
  // Before the body is read: a chunked body without a length still meets the route's own limit while parsed.
  app.addHook('preParsing', async (request) => {
    const refused = bodyTooLarge(request);
    if (refused) throw refused;
  });

  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonTooDeep(text)) return done(tooDeep(), undefined);
    void parseJson(request, text, (error, value) => {
      if (error) return done(error, undefined);
      const refused = faultIn(value, 'body');
      return refused ? done(refused, undefined) : done(null, value);
    });
  });

  app.addHook('preValidation', async (request: FastifyRequest) => {
    // tRPC's own parser leaves the body as text.
    if (typeof request.body === 'string' && jsonTooDeep(request.body)) throw tooDeep();
    const query = request.query as Record<string, unknown> | undefined;
    if (query && typeof query === 'object') {
      const refused = faultIn(query, 'query');
      if (refused) throw refused;
      // A tRPC query's input is JSON in the query string.
      if (typeof query.input === 'string' && jsonTooDeep(query.input)) throw tooDeep();
    }
  });
}

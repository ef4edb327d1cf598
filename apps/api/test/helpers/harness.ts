// Router tests: the real appRouter through createCaller, the real Better Auth, a real database.

import type { LanguageModel } from 'ai';
import type { Logger } from 'drizzle-orm';
import { pino } from 'pino';
import { createOutbound, type Outbound } from '../../src/modules/providers/index.ts';
import { appRouter } from '../../src/router.ts';
import { createServices } from '../../src/services.ts';
import { createContextBuilder } from '../../src/shared/context.ts';
import type { Database } from '../../src/shared/db/client.ts';
import type { EnvSource } from '../../src/shared/lib/env.ts';
import { createCallerFactory } from '../../src/shared/trpc.ts';
import { testConfig } from './config.ts';
import { openTestDatabase } from './database.ts';

export const PASSWORD = 'correct horse battery staple';

export interface SignedIn {
  userId: string;
  sessionId: string;
  headers: Headers;
}

export async function createHarness(env: EnvSource = {}) {
  const queries: string[] = [];
  const logger: Logger = { logQuery: (query) => queries.push(query) };
  const database: Database = await openTestDatabase({ logger });
  const config = testConfig(env);
  const log = pino({ level: 'silent' });
  // The real outbound (guarded fetch, real AI SDK providers) unless a test swaps in the AI SDK's mock model.
  const real = createOutbound(config.outboundPolicy, config.providerTimeoutMs);
  const models: { factory: Outbound['languageModel'] } = { factory: real.languageModel };
  const outbound: Outbound = { ...real, languageModel: (target, modelId) => models.factory(target, modelId) };
  // The services as the server builds them (services.ts), on the test's database and outbound.
  const services = await createServices(config, { log, database, outbound });
  const { auth, replies } = services;
  const buildContext = createContextBuilder({
    auth,
    sessions: services.sessions,
    db: database.db,
    config,
    outbound,
    replies,
  });
  const createCaller = createCallerFactory(appRouter);

  async function sessionFrom(response: { headers: Headers; response: { user: { id: string } } }): Promise<SignedIn> {
    const headers = cookieHeaders(response.headers);
    const found = await auth.api.getSession({ headers });
    if (!found) throw new Error('signed in, but the session is not found');
    return { userId: response.response.user.id, sessionId: found.session.id, headers };
  }

  return {
    database,
    config,
    replies,
    /** Every model the chat procedures open from now on is this one. */
    useModel(model: LanguageModel) {
      models.factory = () => model;
    },
    db: database.db,
    auth,
    queries,
    /** The context a request with these headers gets. */
    context(headers: Headers = new Headers()) {
      return buildContext({ headers, requestId: 'test-request', log });
    },
    async caller(headers: Headers = new Headers()) {
      return createCaller(await buildContext({ headers, requestId: 'test-request', log }));
    },
    async signUp(email: string, name = 'Test User'): Promise<SignedIn> {
      return sessionFrom(
        await auth.api.signUpEmail({ body: { email, password: PASSWORD, name }, returnHeaders: true }),
      );
    },
    async signIn(email: string, userAgent = 'test-agent'): Promise<SignedIn> {
      return sessionFrom(
        await auth.api.signInEmail({
          body: { email, password: PASSWORD },
          headers: new Headers({ 'user-agent': userAgent }),
          returnHeaders: true,
        }),
      );
    },
    services,
    async close() {
      await services.close();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** The Cookie header a browser would send after receiving these Set-Cookie headers. */
export function cookieHeaders(responseHeaders: Headers): Headers {
  const cookie = responseHeaders
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return new Headers({ cookie });
}

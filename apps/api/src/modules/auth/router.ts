// auth.*: the signed-in user's session and its siblings.
import { protectedProcedure, publicProcedure, rest, router } from '../../shared/trpc.ts';
import {
  ApiKeyListOutput,
  CreateApiKeyInput,
  CreateApiKeyOutput,
  GetSessionOutput,
  RevokeApiKeyInput,
  RevokeOtherSessionsOutput,
  RevokeSessionInput,
  RevokeSessionOutput,
  SessionListOutput,
} from './schema.ts';
import * as service from './service.ts';

const apiKeysRouter = router({
  /** The user's API keys: names and first characters only, never the key. */
  list: protectedProcedure
    .meta(rest('GET', '/auth/api-keys', 'auth'))
    .output(ApiKeyListOutput)
    .query(({ ctx }) => service.listApiKeys({ db: ctx.db, userId: ctx.user.id })),

  /** Creates an API key for scripts; the key is in this answer and nowhere else, ever. */
  create: protectedProcedure
    .meta(rest('POST', '/auth/api-keys', 'auth'))
    .input(CreateApiKeyInput)
    .output(CreateApiKeyOutput)
    .mutation(({ ctx, input }) =>
      service.createApiKey({
        auth: ctx.auth,
        userId: ctx.user.id,
        name: input.name,
        expiresInDays: input.expiresInDays,
      }),
    ),

  /** Revokes an API key at once. */
  revoke: protectedProcedure
    .meta(rest('DELETE', '/auth/api-keys/{id}', 'auth'))
    .input(RevokeApiKeyInput)
    .output(RevokeSessionOutput)
    .mutation(({ ctx, input }) => service.revokeApiKey({ db: ctx.db, userId: ctx.user.id, id: input.id })),
});

export const authRouter = router({
  apiKeys: apiKeysRouter,

  /** The current user and session, or null when signed out. */
  getSession: publicProcedure
    .meta(rest('GET', '/auth/session', 'auth', false))
    .output(GetSessionOutput)
    .query(({ ctx }) => service.getSession({ user: ctx.user, session: ctx.session })),

  /** The user's unexpired sessions, newest first, the current one marked. */
  listSessions: protectedProcedure
    .meta(rest('GET', '/auth/sessions', 'auth'))
    .output(SessionListOutput)
    .query(({ ctx }) => service.listSessions({ db: ctx.db, userId: ctx.user.id, currentSessionId: ctx.session.id })),

  /** Signs out one of the user's sessions (the current one included). */
  revokeSession: protectedProcedure
    .meta(rest('DELETE', '/auth/sessions/{sessionId}', 'auth'))
    .input(RevokeSessionInput)
    .output(RevokeSessionOutput)
    .mutation(({ ctx, input }) =>
      service.revokeSession({ db: ctx.db, userId: ctx.user.id, sessionId: input.sessionId }),
    ),

  /** Signs out every session of the user but the current one. */
  revokeOtherSessions: protectedProcedure
    .meta(rest('POST', '/auth/sessions/revoke-others', 'auth'))
    .output(RevokeOtherSessionsOutput)
    .mutation(({ ctx }) =>
      service.revokeOtherSessions({ db: ctx.db, userId: ctx.user.id, currentSessionId: ctx.session.id }),
    ),
});

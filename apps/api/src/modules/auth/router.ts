// auth.*: the signed-in user's session and its siblings.
import { protectedProcedure, publicProcedure, router } from '../../shared/trpc.ts';
import {
  GetSessionOutput,
  RevokeOtherSessionsOutput,
  RevokeSessionInput,
  RevokeSessionOutput,
  SessionListOutput,
} from './schema.ts';
import * as service from './service.ts';

export const authRouter = router({
  /** The current user and session, or null when signed out. */
  getSession: publicProcedure
    .output(GetSessionOutput)
    .query(({ ctx }) => service.getSession({ user: ctx.user, session: ctx.session })),

  /** The user's unexpired sessions, newest first, the current one marked. */
  listSessions: protectedProcedure
    .output(SessionListOutput)
    .query(({ ctx }) => service.listSessions({ db: ctx.db, userId: ctx.user.id, currentSessionId: ctx.session.id })),

  /** Signs out one of the user's sessions (the current one included). */
  revokeSession: protectedProcedure
    .input(RevokeSessionInput)
    .output(RevokeSessionOutput)
    .mutation(({ ctx, input }) =>
      service.revokeSession({ db: ctx.db, userId: ctx.user.id, sessionId: input.sessionId }),
    ),

  /** Signs out every session of the user but the current one. */
  revokeOtherSessions: protectedProcedure
    .output(RevokeOtherSessionsOutput)
    .mutation(({ ctx }) =>
      service.revokeOtherSessions({ db: ctx.db, userId: ctx.user.id, currentSessionId: ctx.session.id }),
    ),
});

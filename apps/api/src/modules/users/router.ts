// users.*: the signed-in user's profile, preferences, usage, export and deletion; admins see and manage all users.
import { adminProcedure, protectedProcedure, rest, router } from '../../shared/trpc.ts';
import { UserSchema } from '../auth/index.ts';
import { PreferencesSchema, UpdatePreferencesInput, updatePreferences } from '../preferences/index.ts';
import * as limits from './limits.ts';
import {
  DeleteAccountInput,
  DeleteAccountOutput,
  ExportOutput,
  LimitsOutput,
  ListUsersInput,
  MeOutput,
  SetLimitsInput,
  SetRoleInput,
  SetUserLimitsInput,
  UpdateProfileInput,
  UsageInput,
  UsageOutput,
  UserPage,
} from './schema.ts';
import * as service from './service.ts';

export const usersRouter = router({
  /** The signed-in user and their preferences. */
  me: protectedProcedure
    .meta(rest('GET', '/users/me', 'users'))
    .output(MeOutput)
    .query(({ ctx }) => service.getMe({ db: ctx.db, user: ctx.user })),

  /** Changes the user's name or picture. */
  updateProfile: protectedProcedure
    .meta(rest('PATCH', '/users/me', 'users'))
    .input(UpdateProfileInput)
    .output(UserSchema)
    .mutation(({ ctx, input }) => service.updateProfile({ db: ctx.db, userId: ctx.user.id, input })),

  /** Changes the defaults a chat uses when it names no provider, model or system prompt. */
  updatePreferences: protectedProcedure
    .meta(rest('PATCH', '/users/me/preferences', 'users'))
    .input(UpdatePreferencesInput)
    .output(PreferencesSchema)
    .mutation(({ ctx, input }) => updatePreferences({ db: ctx.db, userId: ctx.user.id, input })),

  /** Tokens and replies by provider and model over a time range. */
  usage: protectedProcedure
    .meta(rest('GET', '/users/me/usage', 'users'))
    .input(UsageInput)
    .output(UsageOutput)
    .query(({ ctx, input }) => service.getUsage({ ...input, db: ctx.db, userId: ctx.user.id })),

  /** The user's spend cap and where they stand in the current period. */
  limits: protectedProcedure
    .meta(rest('GET', '/users/me/limits', 'users'))
    .output(LimitsOutput)
    .query(({ ctx }) => limits.readLimits({ db: ctx.db, userId: ctx.user.id, config: ctx.config.chat })),

  /** Sets the user's own cap (only lower than what an admin allows; null removes their own cap). */
  setLimits: protectedProcedure
    .meta(rest('PATCH', '/users/me/limits', 'users'))
    .input(SetLimitsInput)
    .output(LimitsOutput)
    .mutation(({ ctx, input }) =>
      limits.setLimits({ db: ctx.db, userId: ctx.user.id, config: ctx.config.chat, input }),
    ),

  /** Everything the user owns, without secrets, for accounts up to 10,000 messages (GET /api/export streams any). */
  exportData: protectedProcedure
    .meta(rest('GET', '/users/me/export', 'users'))
    .output(ExportOutput)
    .query(({ ctx }) => service.exportData({ db: ctx.db, userId: ctx.user.id })),

  /** Deletes the account: its sessions and API keys die at once, the rows it owns go in the background. */
  deleteAccount: protectedProcedure
    .meta(rest('POST', '/users/me/delete', 'users'))
    .input(DeleteAccountInput)
    .output(DeleteAccountOutput)
    .mutation(({ ctx, input }) =>
      service.deleteAccount({
        db: ctx.db,
        userId: ctx.user.id,
        confirmEmail: input.confirmEmail,
        engine: ctx.replies.engine,
        log: ctx.log,
      }),
    ),

  /** Admin: all users, newest first, searchable by email or name. */
  list: adminProcedure
    .meta(rest('GET', '/users', 'users'))
    .input(ListUsersInput)
    .output(UserPage)
    .query(({ ctx, input }) => service.listUsers({ ...input, db: ctx.db })),

  /** Admin: a user's spend cap and period (null falls back to SPEND_CAP_TOKENS). */
  setUserLimits: adminProcedure
    .meta(rest('PATCH', '/users/{userId}/limits', 'users'))
    .input(SetUserLimitsInput)
    .output(LimitsOutput)
    .mutation(({ ctx, input: { userId, ...input } }) =>
      limits.setUserLimits({ db: ctx.db, userId, config: ctx.config.chat, input }),
    ),

  /** Admin: makes a user an admin or an ordinary user (never demoting the last admin). */
  setRole: adminProcedure
    .meta(rest('PATCH', '/users/{userId}/role', 'users'))
    .input(SetRoleInput)
    .output(UserSchema)
    .mutation(({ ctx, input }) => service.setRole({ db: ctx.db, userId: input.userId, role: input.role })),
});

// chat.*: conversations and their server-owned, resumable, streaming replies.
import { protectedProcedure, router } from '../../shared/trpc.ts';
import {
  ChatPage,
  ChatSchema,
  CreateChatInput,
  DeleteChatOutput,
  IdInput,
  ListChatsInput,
  MessageIdInput,
  MessagePage,
  MessageSchema,
  MessagesInput,
  RegenerateOutput,
  SendInput,
  SendOutput,
  StreamInput,
  UpdateChatInput,
} from './schema.ts';
import * as service from './service.ts';
import { openStream } from './stream.ts';

export const chatRouter = router({
  /** The user's chats, most recently updated first; search matches titles. */
  list: protectedProcedure
    .input(ListChatsInput)
    .output(ChatPage)
    .query(({ ctx, input }) => service.listChats({ db: ctx.db, userId: ctx.user.id, ...input })),

  /** One chat. */
  get: protectedProcedure
    .input(IdInput)
    .output(ChatSchema)
    .query(({ ctx, input }) => service.getChat({ db: ctx.db, userId: ctx.user.id, id: input.id })),

  /** Starts a chat, optionally naming its provider, model and system prompt. */
  create: protectedProcedure
    .input(CreateChatInput)
    .output(ChatSchema)
    .mutation(({ ctx, input }) => service.createChat({ db: ctx.db, userId: ctx.user.id, input })),

  /** Renames a chat or changes its provider, model or system prompt. */
  update: protectedProcedure
    .input(UpdateChatInput)
    .output(ChatSchema)
    .mutation(({ ctx, input }) => service.updateChat({ db: ctx.db, userId: ctx.user.id, input })),

  /** Deletes a chat and its messages, stopping its running replies first. */
  delete: protectedProcedure
    .input(IdInput)
    .output(DeleteChatOutput)
    .mutation(({ ctx, input }) =>
      service.deleteChat({ db: ctx.db, userId: ctx.user.id, id: input.id, engine: ctx.chat.engine }),
    ),

  /** A chat's messages, newest first. */
  messages: protectedProcedure
    .input(MessagesInput)
    .output(MessagePage)
    .query(({ ctx, input }) => service.listMessages({ db: ctx.db, userId: ctx.user.id, ...input })),

  /** Stores the user's message and a streaming reply, and starts the reply on the server. */
  send: protectedProcedure
    .input(SendInput)
    .output(SendOutput)
    .mutation(({ ctx, input }) =>
      service.sendMessage({
        db: ctx.db,
        userId: ctx.user.id,
        keyring: ctx.config.encryptionKeys,
        outbound: ctx.outbound,
        engine: ctx.chat.engine,
        limits: ctx.chat.limits,
        input,
      }),
    ),

  /** Follows a reply: text deltas, then one final event. Resumes after lastEventId. */
  stream: protectedProcedure.input(StreamInput).subscription(({ ctx, input, signal }) =>
    openStream({
      db: ctx.db,
      engine: ctx.chat.engine,
      hub: ctx.chat.hub,
      userId: ctx.user.id,
      messageId: input.messageId,
      lastEventId: input.lastEventId,
      signal,
      pollMs: ctx.chat.limits.checkpointIntervalMs,
    }),
  ),

  /** Stops a reply: the upstream call is aborted and the partial text kept as `stopped`. */
  stop: protectedProcedure
    .input(MessageIdInput)
    .output(MessageSchema)
    .mutation(({ ctx, input }) =>
      service.stopMessage({ db: ctx.db, userId: ctx.user.id, messageId: input.messageId, engine: ctx.chat.engine }),
    ),

  /** A new reply to the same question, kept beside the earlier one. */
  regenerate: protectedProcedure
    .input(MessageIdInput)
    .output(RegenerateOutput)
    .mutation(({ ctx, input }) =>
      service.regenerateMessage({
        db: ctx.db,
        userId: ctx.user.id,
        keyring: ctx.config.encryptionKeys,
        outbound: ctx.outbound,
        engine: ctx.chat.engine,
        limits: ctx.chat.limits,
        messageId: input.messageId,
      }),
    ),
});

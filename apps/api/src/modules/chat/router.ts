// chat.*: conversations and their server-owned, resumable, streaming replies.
import { type Context, protectedProcedure, rest, router } from '../../shared/trpc.ts';
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

/** What starting a reply needs from the request's context. */
function generationDeps(ctx: Pick<Context, 'db' | 'config' | 'outbound' | 'chat'> & { user: { id: string } }) {
  return {
    db: ctx.db,
    userId: ctx.user.id,
    keyring: ctx.config.encryptionKeys,
    outbound: ctx.outbound,
    engine: ctx.chat.engine,
    limits: ctx.chat.limits,
  };
}

export const chatRouter = router({
  /** The user's chats, most recently updated first; search matches titles. */
  list: protectedProcedure
    .meta(rest('GET', '/chats', 'chat'))
    .input(ListChatsInput)
    .output(ChatPage)
    .query(({ ctx, input }) => service.listChats({ db: ctx.db, userId: ctx.user.id, ...input })),

  /** One chat. */
  get: protectedProcedure
    .meta(rest('GET', '/chats/{id}', 'chat'))
    .input(IdInput)
    .output(ChatSchema)
    .query(({ ctx, input }) => service.getChat({ db: ctx.db, userId: ctx.user.id, id: input.id })),

  /** Starts a chat, optionally naming its provider, model and system prompt. */
  create: protectedProcedure
    .meta(rest('POST', '/chats', 'chat'))
    .input(CreateChatInput)
    .output(ChatSchema)
    .mutation(({ ctx, input }) => service.createChat({ db: ctx.db, userId: ctx.user.id, input })),

  /** Renames a chat or changes its provider, model or system prompt. */
  update: protectedProcedure
    .meta(rest('PATCH', '/chats/{id}', 'chat'))
    .input(UpdateChatInput)
    .output(ChatSchema)
    .mutation(({ ctx, input }) => service.updateChat({ db: ctx.db, userId: ctx.user.id, input })),

  /** Deletes a chat and its messages, stopping its running replies first. */
  delete: protectedProcedure
    .meta(rest('DELETE', '/chats/{id}', 'chat'))
    .input(IdInput)
    .output(DeleteChatOutput)
    .mutation(({ ctx, input }) =>
      service.deleteChat({ db: ctx.db, userId: ctx.user.id, id: input.id, engine: ctx.chat.engine }),
    ),

  /** A chat's messages, newest first. */
  messages: protectedProcedure
    .meta(rest('GET', '/chats/{chatId}/messages', 'chat'))
    .input(MessagesInput)
    .output(MessagePage)
    .query(({ ctx, input }) => service.listMessages({ db: ctx.db, userId: ctx.user.id, ...input })),

  /** Stores the user's message and a streaming reply, and starts the reply on the server. */
  send: protectedProcedure
    .meta(rest('POST', '/chats/{chatId}/messages', 'chat'))
    .input(SendInput)
    .output(SendOutput)
    .mutation(({ ctx, input }) => service.sendMessage({ ...generationDeps(ctx), input })),

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
    .meta(rest('POST', '/messages/{messageId}/stop', 'chat'))
    .input(MessageIdInput)
    .output(MessageSchema)
    .mutation(({ ctx, input }) =>
      service.stopMessage({ db: ctx.db, userId: ctx.user.id, messageId: input.messageId, engine: ctx.chat.engine }),
    ),

  /** A new reply to the same question, kept beside the earlier one. */
  regenerate: protectedProcedure
    .meta(rest('POST', '/messages/{messageId}/regenerate', 'chat'))
    .input(MessageIdInput)
    .output(RegenerateOutput)
    .mutation(({ ctx, input }) => service.regenerateMessage({ ...generationDeps(ctx), messageId: input.messageId })),
});

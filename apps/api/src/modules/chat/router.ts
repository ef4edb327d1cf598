// chat.*: conversations and their server-owned, resumable, streaming replies.
import { tracked } from '@trpc/server';
import { AppError } from '../../shared/lib/errors.ts';
import { type Context, protectedProcedure, rest, router } from '../../shared/trpc.ts';
import {
  beginRegenerate,
  type ClientEvent,
  followReply,
  type Message,
  MessageSchema,
  openStream,
  type Replies,
  StreamInput,
  stopReply,
} from '../replies/index.ts';
import {
  ChatPage,
  ChatSchema,
  CreateChatInput,
  DeleteChatOutput,
  ForkInput,
  HistoryInput,
  HistoryPage,
  IdInput,
  ListChatsInput,
  MessageIdInput,
  MessagePage,
  MessagesInput,
  RegenerateOutput,
  SelectBranchInput,
  SendAndStreamInput,
  SendInput,
  SendOutput,
  UpdateChatInput,
} from './schema.ts';
import * as service from './service.ts';
import * as tree from './tree.ts';

/** What starting a reply needs from the request's context. */
function replyDeps(ctx: Pick<Context, 'db' | 'config' | 'outbound' | 'replies'> & { user: { id: string } }) {
  return {
    db: ctx.db,
    userId: ctx.user.id,
    keyring: ctx.config.encryptionKeys,
    outbound: ctx.outbound,
    replies: ctx.replies,
  };
}

/** What following a reply needs. */
function followDeps(replies: Replies, db: Context['db'], userId: string, signal: AbortSignal | undefined) {
  const { engine, hub } = replies;
  return { db, engine, hub, userId, signal };
}

const RESUME_NEEDS_ID =
  'lastEventId needs the clientRequestId of the first call (or follow the reply with chat.stream instead)';

export type SendAndStreamEvent = ClientEvent | { type: 'started'; userMessage: Message; assistantMessage: Message };

export const chatRouter = router({
  /** The user's chats, most recently updated first; search matches titles. */
  list: protectedProcedure
    .meta(rest('GET', '/chats', 'chat'))
    .input(ListChatsInput)
    .output(ChatPage)
    .query(({ ctx, input }) => service.listChats({ ...input, db: ctx.db, userId: ctx.user.id })),

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
      service.deleteChat({ db: ctx.db, userId: ctx.user.id, id: input.id, engine: ctx.replies.engine }),
    ),

  /** A chat's messages, newest first. */
  messages: protectedProcedure
    .meta(rest('GET', '/chats/{chatId}/messages', 'chat'))
    .input(MessagesInput)
    .output(MessagePage)
    .query(({ ctx, input }) => service.listMessages({ ...input, db: ctx.db, userId: ctx.user.id })),

  /**
   * The path from the root to a leaf (default: the chat's current leaf), oldest first, paged from the leaf end; each
   * message carries the ids of its siblings (the branches at that point).
   */
  history: protectedProcedure
    .meta(rest('GET', '/chats/{chatId}/history', 'chat'))
    .input(HistoryInput)
    .output(HistoryPage)
    .query(({ ctx, input }) => tree.chatHistory({ ...input, db: ctx.db, userId: ctx.user.id })),

  /** Moves the chat to another branch: its current leaf becomes the newest message under messageId. */
  selectBranch: protectedProcedure
    .meta(rest('POST', '/chats/{chatId}/branch', 'chat'))
    .input(SelectBranchInput)
    .output(ChatSchema)
    .mutation(({ ctx, input }) => tree.selectBranch({ ...input, db: ctx.db, userId: ctx.user.id })),

  /** A new chat holding a copy of the path from the root to messageId (the source chat is unchanged). */
  fork: protectedProcedure
    .meta(rest('POST', '/chats/{chatId}/fork', 'chat'))
    .input(ForkInput)
    .output(ChatSchema)
    .mutation(({ ctx, input }) => tree.forkChat({ ...input, db: ctx.db, userId: ctx.user.id })),

  /**
   * Stores the user's message under parentId (default: the current leaf; an earlier message makes a new branch) and a
   * streaming reply, starts the reply on the server, and moves the chat's current leaf to it.
   */
  send: protectedProcedure
    .meta(rest('POST', '/chats/{chatId}/messages', 'chat'))
    .input(SendInput)
    .output(SendOutput)
    .mutation(({ ctx, input }) => service.sendMessage({ ...replyDeps(ctx), input })),

  /** Follows a reply: text deltas, then one final event. Resumes after lastEventId. */
  stream: protectedProcedure.input(StreamInput).subscription(({ ctx, input, signal }) =>
    openStream({
      ...followDeps(ctx.replies, ctx.db, ctx.user.id, signal),
      messageId: input.messageId,
      lastEventId: input.lastEventId,
      slots: ctx.replies.streamSlots,
    }),
  ),

  /**
   * chat.send and chat.stream in one request: `started` with both messages, then the reply's events. A client that
   * drops reconnects with chat.stream and the last event id it saw.
   */
  sendAndStream: protectedProcedure.input(SendAndStreamInput).subscription(async ({ ctx, input, signal }) => {
    const { lastEventId, ...send } = input;
    // A reconnect sends the same input again: without a clientRequestId that would be a second question.
    if (lastEventId && !send.clientRequestId) throw new AppError('VALIDATION_FAILED', RESUME_NEEDS_ID);
    // Sent before anything streams, so a refusal (no provider, chat not found) keeps its code.
    // A stream slot first (MAX_STREAMS_PER_USER): refused before anything is sent.
    const release = ctx.replies.streamSlots.take(ctx.user.id, signal);
    const sent = await service.sendMessage({ ...replyDeps(ctx), input: send }).catch((error: unknown) => {
      release();
      throw error;
    });
    const follow = followDeps(ctx.replies, ctx.db, ctx.user.id, signal);
    return (async function* () {
      if (!lastEventId) yield tracked('0', { type: 'started', ...sent } as SendAndStreamEvent);
      yield* followReply({ ...follow, messageId: sent.assistantMessage.id, lastEventId, release });
    })();
  }),

  /** Stops a reply: the upstream call is aborted and the partial text kept as `stopped`. */
  stop: protectedProcedure
    .meta(rest('POST', '/messages/{messageId}/stop', 'chat'))
    .input(MessageIdInput)
    .output(MessageSchema)
    .mutation(({ ctx, input }) =>
      stopReply({ db: ctx.db, userId: ctx.user.id, messageId: input.messageId, engine: ctx.replies.engine }),
    ),

  /** A new reply to the same question, kept beside the earlier one; the chat's current leaf moves to it. */
  regenerate: protectedProcedure
    .meta(rest('POST', '/messages/{messageId}/regenerate', 'chat'))
    .input(MessageIdInput)
    .output(RegenerateOutput)
    .mutation(({ ctx, input }) => beginRegenerate({ ...replyDeps(ctx), messageId: input.messageId })),
});

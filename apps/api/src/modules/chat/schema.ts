// Zod schemas for the chat procedures, built once at module level.
import { MAX_SYSTEM_PROMPT_CHARS, MAX_TITLE_CHARS, MESSAGE_CHARS_BOUND } from '@parley/shared/limits';
import { z } from 'zod';
import { pageInput, pageOf } from '../../shared/lib/paging.ts';
import { MessageSchema } from '../replies/index.ts';

const Id = z.string().min(1).max(64);
const Title = z.string().trim().min(1).max(MAX_TITLE_CHARS);
const Model = z.string().trim().min(1).max(200);
const SystemPrompt = z.string().max(MAX_SYSTEM_PROMPT_CHARS);

export const ChatSchema = z.object({
  id: z.string(),
  title: z.string().nullable(),
  providerId: z.string().nullable(),
  model: z.string().nullable(),
  systemPrompt: z.string().nullable(),
  /** The message the chat is on: chat.history shows the path to it, and a send without parentId answers it. */
  currentLeafId: z.string().nullable(),
  /** What the user should know about the chat (its provider was deleted); cleared when a provider is chosen for it. */
  notice: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const ListChatsInput = pageInput({ search: z.string().trim().max(200).optional() });
export const ChatPage = pageOf(ChatSchema);
export const IdInput = z.object({ id: Id });
export const CreateChatInput = z.object({
  title: Title.optional(),
  providerId: Id.optional(),
  model: Model.optional(),
  systemPrompt: SystemPrompt.optional(),
});
export const UpdateChatInput = z.object({
  id: Id,
  title: Title.nullable().optional(),
  providerId: Id.nullable().optional(),
  model: Model.nullable().optional(),
  systemPrompt: SystemPrompt.nullable().optional(),
});
export const DeleteChatOutput = z.object({ id: z.string() });
export const MessagesInput = pageInput({ chatId: Id });
export const MessagePage = pageOf(MessageSchema);
export const SendInput = z.object({
  chatId: Id,
  // The configured MAX_MESSAGE_CHARS is checked in the service; this bound only keeps absurd bodies out.
  text: z.string().min(1).max(MESSAGE_CHARS_BOUND),
  clientRequestId: z.string().min(1).max(128).optional(),
  providerId: Id.optional(),
  model: Model.optional(),
  /**
   * The new message's parent: a message of the chat (an earlier one is "edit and resend": a new branch), null for a
   * new root; absent, the chat's current leaf.
   */
  parentId: Id.nullable().optional(),
});
/** chat.sendAndStream: chat.send's input; a reconnect (tRPC's link does it by itself) adds the last event id. */
export const SendAndStreamInput = SendInput.extend({ lastEventId: z.string().max(64).nullish() });
export const SendOutput = z.object({ userMessage: MessageSchema, assistantMessage: MessageSchema });
export const MessageIdInput = z.object({ messageId: Id });
export const RegenerateOutput = z.object({ assistantMessage: MessageSchema });

export const HistoryInput = pageInput({ chatId: Id, leafId: Id.optional() });
/** A message on the path, with the ids of its siblings (the same parent, creation order, itself included). */
export const HistoryItem = MessageSchema.extend({ siblingIds: z.array(z.string()) });
export const HistoryPage = pageOf(HistoryItem);
export const SelectBranchInput = z.object({ chatId: Id, messageId: Id });
export const ForkInput = z.object({ chatId: Id, messageId: Id, title: Title.optional() });

export type CreateChatInput = z.infer<typeof CreateChatInput>;
export type UpdateChatInput = z.infer<typeof UpdateChatInput>;
export type Chat = z.infer<typeof ChatSchema>;

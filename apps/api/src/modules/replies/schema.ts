// Zod schemas of replies and the messages they answer, built once at module level.
import { z } from 'zod';

export const MessagePartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

export const MessageSchema = z.object({
  id: z.string(),
  chatId: z.string(),
  parentId: z.string().nullable(),
  role: z.enum(['user', 'assistant']),
  parts: z.array(MessagePartSchema),
  text: z.string(),
  status: z.enum(['pending', 'streaming', 'complete', 'stopped', 'error']),
  error: z.string().nullable(),
  providerId: z.string().nullable(),
  model: z.string().nullable(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).nullable(),
  finishReason: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const StreamInput = z.object({
  messageId: z.string().min(1).max(64),
  lastEventId: z.string().max(64).nullish(),
});

export type Message = z.infer<typeof MessageSchema>;

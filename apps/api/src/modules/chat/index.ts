// The chat module's public face.
export type { GenerationEngine } from './engine.ts';
export { chatRouter } from './router.ts';
export { type ChatRuntime, closeInterruptedReplies, createChatRuntime } from './runtime.ts';
export { ChatSchema, MessageSchema } from './schema.ts';
export { exportChats } from './service.ts';

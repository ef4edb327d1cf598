// The chat module's public face.
export { chatRouter } from './router.ts';
export { type ChatRuntime, closeInterruptedReplies, createChatRuntime } from './runtime.ts';
export { MessageSchema } from './schema.ts';

// The replies module's public face: beginning a reply, following it, stopping it, and the runtime that runs them.
export { beginRegenerate, beginSend, type NameChat, type ReplyDeps, type SendReplyInput, type Sent } from './begin.ts';
export type { GenerationEngine } from './engine.ts';
export { type ClientEvent, followReply, openStream, type StreamOptions } from './follow.ts';
export { toMessage } from './messages.ts';
export { closeInterruptedReplies, createReplies, type Replies } from './runtime.ts';
export { type Message, MessageSchema, StreamInput } from './schema.ts';
export { stopReply } from './stop.ts';

// Limits the server enforces and its clients respect, owned here: the server's schemas and configuration defaults
// and the CLI's and web app's forms and batch links import them. Pure data (a client bundle of it is a few bytes).

/** The largest batch the server accepts by default (TRPC_MAX_BATCH_SIZE); a client's batch link `maxItems`. */
export const MAX_BATCH_SIZE = 20;

/** The default of MAX_MESSAGE_CHARS: a user message's length in characters, checked when it is sent. */
export const DEFAULT_MAX_MESSAGE_CHARS = 32_000;
/** The most MAX_MESSAGE_CHARS may be set to, and the schema's sanity bound on a message (absurd bodies kept out). */
export const MESSAGE_CHARS_BOUND = 1_000_000;

/** A system prompt's length in characters (a chat's and the preferences' default). */
export const MAX_SYSTEM_PROMPT_CHARS = 20_000;
/** A display name's length (a user's name, a provider's name). */
export const MAX_NAME_CHARS = 100;
/** An API key's name's length. */
export const MAX_API_KEY_NAME_CHARS = 32;
/** A chat title's length. */
export const MAX_TITLE_CHARS = 200;

// The provider kinds, owned here: the server's registry (apps/api providers/kinds.ts) has one entry per kind (a
// type check says it covers exactly these), its schemas and the database column take the list, and so does the CLI.

export const PROVIDER_KINDS = ['openai', 'anthropic', 'google', 'openai-compatible'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

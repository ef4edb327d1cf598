// Every table, for Drizzle's query builder and drizzle-kit. A file per module beside this one.
export * from './auth.ts';
export * from './chat.ts';
export * from './providers.ts';
export * from './spend.ts';
export * from './usage.ts';
export * from './users.ts';

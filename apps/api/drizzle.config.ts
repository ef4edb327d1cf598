import { defineConfig } from 'drizzle-kit';

// db:studio (scripts/studio.ts) says which database to open; generate and check need none.
const pglite = process.env.DRIZZLE_STUDIO_PGLITE;
const postgres = process.env.DRIZZLE_STUDIO_POSTGRES;

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/shared/db/schema/index.ts',
  // db:check generates into a scratch copy to see whether the schema has changes no migration holds.
  out: process.env.DRIZZLE_OUT ?? './drizzle',
  ...(pglite ? { driver: 'pglite', dbCredentials: { url: pglite } } : {}),
  ...(postgres ? { dbCredentials: { url: postgres } } : {}),
});

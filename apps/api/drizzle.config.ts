import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/shared/db/schema/index.ts',
  // db:check generates into a scratch copy to see whether the schema has changes no migration holds.
  out: process.env.DRIZZLE_OUT ?? './drizzle',
});

// pnpm db:migrate — applies the committed migrations to the configured database (the server also does this at start).
import { withDatabase } from './lib/script.ts';

await withDatabase('db:migrate', async ({ database }) => {
  process.stdout.write(`migrations applied (${database.kind})\n`);
});

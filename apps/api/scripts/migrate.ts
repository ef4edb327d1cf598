// pnpm db:migrate — applies the committed migrations to the configured database (the server also does this at start).
import { openDatabase } from '../src/shared/db/client.ts';
import { loadConfig, readEnv } from '../src/shared/lib/env.ts';

const config = loadConfig(readEnv());
const database = await openDatabase(config.database);
try {
  await database.migrate();
  process.stdout.write(`migrations applied (${database.kind})\n`);
} finally {
  await database.close();
}

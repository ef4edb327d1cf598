// Entry: read the environment once, open and migrate the database, build, listen, and close gracefully on
// SIGTERM/SIGINT. A failure on the way is one line on stderr ("Parley cannot start: …", startup.ts) and exit 1;
// the stack too with LOG_LEVEL=debug.
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { loadProviderSdks } from './modules/providers/index.ts';
import type { Database } from './shared/db/client.ts';
import { type Config, loadConfig, readEnv } from './shared/lib/env.ts';
import { describeStartupFailure, openMigratedDatabase, type StartupContext } from './startup.ts';

const context: StartupContext = { phase: 'config' };
const debug = readEnv().LOG_LEVEL === 'debug';
let config: Config | undefined;
let database: Database | undefined;
let app: FastifyInstance | undefined;

async function cannotStart(error: unknown): Promise<never> {
  process.stderr.write(`Parley cannot start: ${describeStartupFailure(error, context)}\n`);
  if (debug) process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  // Closing releases the embedded database's lock (and its pool): the next start must not find them taken.
  await (app ? app.close() : database?.close())?.catch(() => {});
  process.exit(1);
}

try {
  config = loadConfig(readEnv());
  context.host = config.host;
  context.port = config.port;
  // Migrated here rather than inside buildApp, so that a failure is told apart from the rest of the start.
  database = await openMigratedDatabase(config, context);
  context.phase = 'build';
  app = await buildApp(config, { database });
} catch (error) {
  await cannotStart(error);
}
// Narrowed for TypeScript: cannotStart never returns.
const started = app as FastifyInstance;
const settings = config as Config;

// Stop accepting, let in-flight requests finish within the bound, then close the database (an onClose hook).
closeWithGrace({ delay: settings.shutdownTimeoutMs, logger: started.log }, async ({ signal, err }) => {
  if (err) started.log.error({ err }, 'closing after an uncaught error');
  else started.log.info({ signal }, 'shutting down');
  await started.close();
});

context.phase = 'listen';
await started.listen({ host: settings.host, port: settings.port }).catch(cannotStart);
started.log.info({ publicUrl: settings.publicUrl, database: settings.database.kind }, 'Parley API ready');
// Loaded lazily so they do not delay start-up; loaded now so the first reply does not wait for them either.
loadProviderSdks().catch((error: unknown) => started.log.warn({ err: error }, 'could not load the provider SDKs'));

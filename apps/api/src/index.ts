// Entry: read the environment once, build, listen, and close gracefully on SIGTERM/SIGINT.
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { loadProviderSdks } from './modules/providers/index.ts';
import { DataDirLockedError } from './shared/db/lock.ts';
import { ConfigError, loadConfig, readEnv } from './shared/lib/env.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(readEnv());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\nSee .env.example for every variable and its meaning.\n`);
  process.exit(1);
}

const app = await buildApp(config).catch((error: unknown) => {
  if (!(error instanceof DataDirLockedError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});

// Stop accepting, let in-flight requests finish within the bound, then close the database (an onClose hook).
closeWithGrace({ delay: config.shutdownTimeoutMs, logger: app.log }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an uncaught error');
  else app.log.info({ signal }, 'shutting down');
  await app.close();
});

await app.listen({ host: config.host, port: config.port });
app.log.info({ publicUrl: config.publicUrl, database: config.database.kind }, 'Parley API ready');
// Loaded lazily so they do not delay start-up; loaded now so the first reply does not wait for them either.
loadProviderSdks().catch((error: unknown) => app.log.warn({ err: error }, 'could not load the provider SDKs'));

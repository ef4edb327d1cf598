// What every maintenance script (pnpm db:migrate, db:seed, db:studio, keys:rotate, users:promote) does around its own
// work: read the configuration, open and migrate the database, close it at the end, and turn any failure on the way
// into one line on stderr ("<name>: cannot reach the database at host:port: connection refused") and exit code 1,
// as the server's start does (src/startup.ts). The stack follows only with LOG_LEVEL=debug.
import type { Database } from '../../src/shared/db/client.ts';
import { type Config, type EnvSource, loadConfig, readEnv } from '../../src/shared/lib/env.ts';
import { describeStartupFailure, openMigratedDatabase, type StartupContext } from '../../src/startup.ts';

/** Prints the failure as one line (and the stack with LOG_LEVEL=debug) and ends the process with exit code 1. */
export function failScript(name: string, error: unknown, context: StartupContext): never {
  process.stderr.write(`${name}: ${describeStartupFailure(error, context)}\n`);
  if (readEnv().LOG_LEVEL === 'debug' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}

/** The validated configuration, or one line naming the bad variables and exit 1. `defaults` yield to the environment. */
export function scriptConfig(name: string, defaults: EnvSource = {}): Config {
  try {
    return loadConfig({ ...defaults, ...readEnv() });
  } catch (error) {
    failScript(name, error, { phase: 'config' });
  }
}

/**
 * Runs `work` with the configured database, opened and migrated, and closes it afterwards whatever happens. A failure
 * to open or migrate, or one thrown by `work`, is one line on stderr and exit code 1.
 */
export async function withDatabase<T>(
  name: string,
  work: (scope: { config: Config; database: Database }) => Promise<T>,
  options: { defaults?: EnvSource } = {},
): Promise<T> {
  const config = scriptConfig(name, options.defaults);
  const context: StartupContext = { phase: 'database' };
  let database: Database | undefined;
  try {
    database = closedOnce(await openMigratedDatabase(config, context));
    context.phase = 'build';
    return await work({ config, database });
  } catch (error) {
    await database?.close().catch(() => {});
    database = undefined;
    return failScript(name, error, context);
  } finally {
    await database?.close();
  }
}

/** The database with a close that runs once: work that hands it to buildApp has it closed by the app too. */
function closedOnce(database: Database): Database {
  let closing: Promise<void> | undefined;
  return { ...database, close: () => (closing ??= database.close()) };
}

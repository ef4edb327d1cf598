// Where the CLI keeps its server URL and API key: a JSON file only its owner can read (0600, folder 0700), written
// atomically by write-file-atomic. (Not `conf`: its ajv, dot-prop and the like would double the bundle and add about
// 100 ms to each start, for two fields; see docs/dependencies.md.)
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { CliError, EXIT } from './errors.ts';

export interface SavedConfig {
  url: string;
  key: string;
}

type Env = Record<string, string | undefined>;

/** PARLEY_CONFIG, else $XDG_CONFIG_HOME/parley/config.json, else ~/.config/parley/config.json. */
export function configPath(env: Env): string {
  if (env.PARLEY_CONFIG) return env.PARLEY_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'parley', 'config.json');
}

export function readConfig(path: string): Partial<SavedConfig> {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(
      `The config file ${path} is not valid JSON (${(error as Error).message}); run \`parley login\` again.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const { url, key } = parsed as Record<string, unknown>;
  return {
    ...(typeof url === 'string' ? { url } : {}),
    ...(typeof key === 'string' ? { key } : {}),
  };
}

/** Writes atomically (a 0600 temporary file, synced, renamed over the old one); a folder it creates is 0700. */
export function writeConfig(path: string, config: SavedConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

export function removeConfig(path: string): boolean {
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}

/** The server and key to use: PARLEY_URL and PARLEY_API_KEY override the saved ones, field by field. */
export function resolveTarget(env: Env): SavedConfig {
  const saved = readConfig(configPath(env));
  const url = env.PARLEY_URL || saved.url;
  const key = env.PARLEY_API_KEY || saved.key;
  if (!url || !key) throw new CliError('Not logged in: run `parley login --url <server url>`.', EXIT.AUTH);
  return { url, key };
}

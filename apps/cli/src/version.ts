// The CLI's version: written into the bundle at build time (scripts/bundle.mjs), read from package.json when the
// source runs directly.
import { createRequire } from 'node:module';

declare const PARLEY_CLI_VERSION: string | undefined;

export const VERSION: string =
  typeof PARLEY_CLI_VERSION === 'string'
    ? PARLEY_CLI_VERSION
    : (createRequire(import.meta.url)('../package.json') as { version: string }).version;

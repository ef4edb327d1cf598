// Builds dist/parley.mjs once before the tests, so every command they run goes through the bundle as it ships
// (bin/parley.js would otherwise build it on the first run, inside a test).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, [new URL('../../scripts/bundle.mjs', import.meta.url).pathname], { stdio: 'pipe' });
}

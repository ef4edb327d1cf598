// The browser tests drive Debian's Chromium (Playwright's own browser download is not available here). On a
// machine without it, this installs it with apt-get when running as root, or says exactly what to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  if (process.getuid?.() !== 0) {
    process.stderr.write(`Chromium is not at ${path}. Install it: sudo apt-get install -y chromium\n`);
    process.exit(1);
  }
  process.stdout.write("Chromium is missing: installing Debian's chromium package (once)…\n");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      process.stderr.write(`apt-get ${args.join(' ')} failed (exit ${result.status})\n`);
      process.exit(1);
    }
  }
}

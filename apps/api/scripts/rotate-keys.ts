// pnpm keys:rotate — re-encrypts every stored provider key under the current key (the first in ENCRYPTION_KEYS).
// Safe while the server runs, resumable, prints progress. Afterwards the old key can be dropped from the keyring.
import { rotateProviderKeys } from '../src/modules/providers/index.ts';
import { withDatabase } from './lib/script.ts';

const batchArg = process.argv.find((a) => a.startsWith('--batch='));
const batchSize = batchArg ? Number.parseInt(batchArg.slice('--batch='.length), 10) : 100;
if (!Number.isInteger(batchSize) || batchSize < 1) {
  process.stderr.write('--batch= takes a whole number of rows, at least 1\n');
  process.exit(2);
}

await withDatabase('keys:rotate', async ({ config, database }) => {
  const result = await rotateProviderKeys({
    db: database.db,
    keyring: config.encryptionKeys,
    batchSize,
    onProgress: ({ rotated, skipped, failed, remaining }) =>
      process.stdout.write(
        `rotated ${rotated}, skipped ${skipped} (changed meanwhile), failed ${failed.length}, remaining ${remaining}\n`,
      ),
  });
  if (result.failed.length > 0) {
    process.stderr.write(
      `${result.failed.length} keys do not decrypt with any key in ENCRYPTION_KEYS (provider ids: ${result.failed.join(', ')}); ` +
        'they were left as they are. Keep their key in the keyring, or have their owners enter the key again.\n',
    );
    process.exitCode = 1;
  }
  process.stdout.write(
    `done: ${result.rotated} keys now under "${result.currentKeyId}". Keys no row uses any more can be dropped from ENCRYPTION_KEYS.\n`,
  );
});

// Re-encrypts every stored provider key under the keyring's current key, in batches, while the server serves.
// Resumable: it only ever picks rows still under another key, so a stopped run continues where it left off.
import type { Db } from '../../shared/db/client.ts';
import { decryptSecret, encryptSecret, SecretDecryptionError } from '../../shared/lib/encryption.ts';
import type { Keyring } from '../../shared/lib/keyring.ts';
import { keyAssociatedData, storedSecret } from './keys.ts';
import * as repository from './repository.ts';

export interface RotationProgress {
  rotated: number;
  /** Rows a user changed while the batch ran: their new key is already under the current key. */
  skipped: number;
  /** Rows whose key does not decrypt (tampered, moved, or under a key no longer in the keyring); left as they are. */
  failed: string[];
  remaining: number;
}

export interface RotateOptions {
  db: Db;
  keyring: Keyring;
  batchSize?: number;
  onProgress?: (progress: RotationProgress) => void;
}

type KeyRow = Awaited<ReturnType<typeof repository.findKeysNotUnder>>[number];

/** Re-encrypts one row's key; a row the user changed meanwhile is left (its new key is already current). */
async function rotateOne(db: Db, keyring: Keyring, row: KeyRow): Promise<'rotated' | 'skipped' | 'failed'> {
  const secret = storedSecret(row);
  if (!secret) return 'skipped';
  const associatedData = keyAssociatedData(row.userId, row.id);
  let plaintext: string;
  try {
    plaintext = decryptSecret(keyring, secret, associatedData);
  } catch (error) {
    if (error instanceof SecretDecryptionError) return 'failed';
    throw error;
  }
  const next = encryptSecret(keyring, plaintext, associatedData);
  const replaced = await repository.replaceKeyIfUnchanged(db, row.id, secret.ciphertext, {
    keyCiphertext: next.ciphertext,
    keyIv: next.iv,
    keyTag: next.tag,
    keyId: next.keyId,
  });
  return replaced ? 'rotated' : 'skipped';
}

export async function rotateProviderKeys({ db, keyring, batchSize = 100, onProgress }: RotateOptions) {
  const current = keyring.currentKeyId;
  let rotated = 0;
  let skipped = 0;
  const failed: string[] = [];
  let afterId = '';
  for (;;) {
    const batch = await repository.findKeysNotUnder(db, current, afterId, batchSize);
    if (batch.length === 0) break;
    for (const row of batch) {
      const outcome = await rotateOne(db, keyring, row);
      if (outcome === 'rotated') rotated++;
      else if (outcome === 'skipped') skipped++;
      else failed.push(row.id);
    }
    afterId = batch.at(-1)?.id ?? afterId;
    const remaining = await repository.countKeysNotUnder(db, current);
    onProgress?.({ rotated, skipped, failed, remaining });
  }
  return { rotated, skipped, failed, currentKeyId: current };
}

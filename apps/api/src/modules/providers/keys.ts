// A provider's API key at rest: bound to its owner and row, shown only as a hint.

import { decryptSecret, type EncryptedSecret, encryptSecret } from '../../shared/lib/encryption.ts';
import type { Keyring } from '../../shared/lib/keyring.ts';
import type { ProviderRow } from './repository.ts';

/** The owner bound into every ciphertext: a row copied to another user or provider no longer decrypts. */
export function keyAssociatedData(userId: string, providerId: string): string {
  return `parley:provider:${userId}:${providerId}`;
}

/** `sk-…3f9a`: at most the first 3 and last 4 characters, and never more than a quarter of the key. */
export function apiKeyHint(apiKey: string): string {
  const head = apiKey.length >= 16 ? 3 : 0;
  const tail = Math.min(4, Math.floor(apiKey.length / 4));
  return `${apiKey.slice(0, head)}…${tail > 0 ? apiKey.slice(-tail) : ''}`;
}

export function encryptApiKey(keyring: Keyring, userId: string, providerId: string, apiKey: string) {
  const secret = encryptSecret(keyring, apiKey, keyAssociatedData(userId, providerId));
  return {
    keyCiphertext: secret.ciphertext,
    keyIv: secret.iv,
    keyTag: secret.tag,
    keyId: secret.keyId,
    apiKeyHint: apiKeyHint(apiKey),
  };
}

export const NO_KEY = { keyCiphertext: null, keyIv: null, keyTag: null, keyId: null, apiKeyHint: null };

export function storedSecret(row: Pick<ProviderRow, 'keyCiphertext' | 'keyIv' | 'keyTag' | 'keyId'>) {
  if (!row.keyCiphertext || !row.keyIv || !row.keyTag || !row.keyId) return null;
  return { ciphertext: row.keyCiphertext, iv: row.keyIv, tag: row.keyTag, keyId: row.keyId } satisfies EncryptedSecret;
}

/** The plaintext key, or undefined when the provider has none. Throws SecretDecryptionError on any mismatch. */
export function decryptApiKey(keyring: Keyring, row: ProviderRow): string | undefined {
  const secret = storedSecret(row);
  return secret ? decryptSecret(keyring, secret, keyAssociatedData(row.userId, row.id)) : undefined;
}

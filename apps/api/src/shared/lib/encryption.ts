// Secrets at rest: AES-256-GCM, a fresh random 96-bit IV each time, the tag stored, the owner bound in as associated
// data, and the id of the key that encrypted it, so the server key can rotate without downtime.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.ts';

export interface EncryptedSecret {
  ciphertext: string;
  iv: string;
  tag: string;
  keyId: string;
}

/** Decryption failed: tampered data, a row moved to another owner, or a key no longer in the keyring. */
export class SecretDecryptionError extends Error {
  override name = 'SecretDecryptionError';
}

export function encryptSecret(keyring: Keyring, plaintext: string, associatedData: string): EncryptedSecret {
  const key = keyring.keys.get(keyring.currentKeyId) as Buffer;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    ciphertext: ciphertext.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    keyId: keyring.currentKeyId,
  };
}

export function decryptSecret(keyring: Keyring, secret: EncryptedSecret, associatedData: string): string {
  const key = keyring.keys.get(secret.keyId);
  if (!key) {
    throw new SecretDecryptionError(`no key "${secret.keyId}" in the keyring (ENCRYPTION_KEYS); was it dropped early?`);
  }
  const iv = Buffer.from(secret.iv, 'base64');
  const tag = Buffer.from(secret.tag, 'base64');
  if (iv.length !== 12 || tag.length !== 16) throw new SecretDecryptionError('malformed IV or tag');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(secret.ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SecretDecryptionError(
      `authentication failed under key "${secret.keyId}": the data was altered or belongs to another owner`,
    );
  }
}

// Password hashing: argon2id at OWASP's minimum (19 MiB memory, 2 iterations, 1 lane).
// Better Auth's default scrypt (N=16384, r=16) uses a quarter of the memory OWASP asks for.
import { hash, parseOptions, verify } from '@node-rs/argon2';
import { verifyPassword as verifyScrypt } from 'better-auth/crypto';

const ARGON2ID = 2; // Algorithm.Argon2id; the package exports it as a const enum, which isolated modules cannot read.

export const PASSWORD_HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_HASH_OPTIONS);
}

export async function verifyPassword({
  hash: encoded,
  password,
}: {
  hash: string;
  password: string;
}): Promise<boolean> {
  if (encoded.startsWith('$argon2')) return verify(encoded, password);
  // Better Auth's own scrypt format (hex salt:key), from before argon2id: verified, then upgraded at sign-in.
  if (SCRYPT_HASH.test(encoded)) return verifyScrypt({ hash: encoded, password });
  return false;
}

const SCRYPT_HASH = /^[0-9a-f]{32}:[0-9a-f]{128}$/;

/** True when a stored hash is weaker than PASSWORD_HASH_OPTIONS (another algorithm, or lower costs). */
export function needsRehash(encoded: string): boolean {
  if (!encoded.startsWith('$argon2id$')) return true;
  try {
    const options = parseOptions(encoded);
    return (
      options.memoryCost < PASSWORD_HASH_OPTIONS.memoryCost ||
      options.timeCost < PASSWORD_HASH_OPTIONS.timeCost ||
      options.parallelism < PASSWORD_HASH_OPTIONS.parallelism
    );
  } catch {
    return true;
  }
}

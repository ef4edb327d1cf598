// Password hashing: argon2id at OWASP's minimum (19 MiB memory, 2 iterations, 1 lane).
// Better Auth's default scrypt (N=16384, r=16) uses a quarter of the memory OWASP asks for.
import { hash, verify } from '@node-rs/argon2';

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
  if (!encoded.startsWith('$argon2')) return false;
  return verify(encoded, password);
}

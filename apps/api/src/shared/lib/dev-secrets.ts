// Development secrets: generated once, kept in the local data folder, readable only by this user.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DevSecrets {
  authSecret: string;
  encryptionKeys: string;
  file: string;
  created: boolean;
}

export function loadDevSecrets(dataDir: string): DevSecrets {
  const file = resolve(join(dataDir, 'dev-secrets.json'));
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Omit<DevSecrets, 'file' | 'created'>;
    return { ...stored, file, created: false };
  }
  const secrets = {
    authSecret: randomBytes(32).toString('base64url'),
    encryptionKeys: `dev1:${randomBytes(32).toString('base64')}`,
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { ...secrets, file, created: true };
}

// The environment is validated once: bad values are named, production demands its secrets, development makes them.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARIABLES, loadConfig } from '../src/shared/lib/env.ts';
import { parseKeyring } from '../src/shared/lib/keyring.ts';
import { TEST_ENV } from './helpers/config.ts';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('what works', () => {
  it('starts for development with nothing set: embedded database, defaults, generated secrets kept', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-config-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first).toMatchObject({
      env: 'development',
      host: '127.0.0.1',
      port: 3000,
      publicUrl: 'http://127.0.0.1:3000',
      database: { kind: 'pglite', dataDir: `${dataDir}/pglite` },
    });
    expect(first.trustedOrigins).toEqual(['http://127.0.0.1:3000']);
    expect(first.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.warnings.join()).toMatch(/Generated development secrets/);
    const file = join(dataDir, 'dev-secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(first.authSecret);

    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.encryptionKeys.keys.get('dev1')).toEqual(first.encryptionKeys.keys.get('dev1'));
  });

  it('reads PostgreSQL, the public URL, extra origins and the keyring', () => {
    const config = loadConfig({
      ...TEST_ENV,
      DATABASE_URL: 'postgres://u@db.internal:5432/parley',
      HOST: '0.0.0.0',
      PORT: '8080',
      TRUSTED_ORIGINS: 'http://localhost:5173, https://app.example.com/',
      ENCRYPTION_KEYS: `k2:${key(2)},k1:${key(1)}`,
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@db.internal:5432/parley', poolMax: 10 });
    expect(loadConfig({ ...TEST_ENV, DATABASE_URL: 'postgres://x/y', DATABASE_POOL_MAX: '25' }).database).toMatchObject(
      {
        poolMax: 25,
      },
    );
    expect(config.trpcFastPath).toBe(true);
    expect(loadConfig({ ...TEST_ENV, TRPC_FAST_PATH: 'false' }).trpcFastPath).toBe(false);
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.trustedOrigins).toEqual([
      'http://localhost:8080',
      'http://localhost:5173',
      'https://app.example.com',
    ]);
    expect(config.encryptionKeys.currentKeyId).toBe('k2');
    expect([...config.encryptionKeys.keys.keys()]).toEqual(['k2', 'k1']);
    expect(config.warnings).toEqual([]);
  });

  it('.env.example documents every variable the server reads, and no other', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = [...example.matchAll(/^(?:# )?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect([...new Set(documented)].sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ ...TEST_ENV, PORT: '', DATABASE_URL: '' })).toMatchObject({
      port: 3000,
      database: { kind: 'pglite' },
    });
  });
});

describe('what fails, and how', () => {
  it('names each bad variable and what it expects', () => {
    const message = configError({ ...TEST_ENV, PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(message).toMatch(/PORT: expected an integer from 0 to 65535 \(got "eighty"\)/);
    expect(message).toMatch(/LOG_LEVEL: expected one of fatal, error/);
    expect(message).toMatch(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ connection URL/);
    expect(message).not.toContain('mysql://x');
  });

  it('requires AUTH_SECRET and ENCRYPTION_KEYS in production', () => {
    const message = configError({ NODE_ENV: 'production' });
    expect(message).toMatch(/AUTH_SECRET: required when NODE_ENV=production/);
    expect(message).toMatch(/ENCRYPTION_KEYS: required when NODE_ENV=production/);
  });

  it('refuses a short secret, an unknown environment, a bad boolean and a bad origin', () => {
    const message = configError({
      ...TEST_ENV,
      AUTH_SECRET: 'short',
      NODE_ENV: 'staging',
      TRUST_PROXY: 'maybe',
      TRUSTED_ORIGINS: 'ftp://files.example.com',
    });
    expect(message).toMatch(/AUTH_SECRET: expected at least 32 characters/);
    expect(message).not.toContain('"short"');
    expect(message).toMatch(/NODE_ENV: expected one of development, test, production/);
    expect(message).toMatch(/TRUST_PROXY: expected true or false/);
    expect(message).toMatch(/TRUSTED_ORIGINS: expected an http\(s\) origin/);
  });

  it('refuses a keyring with a short key, a bad id or a repeated id', () => {
    expect(() => parseKeyring(`k1:${Buffer.alloc(16).toString('base64')}`)).toThrow(/must be 32 random bytes/);
    expect(() => parseKeyring(`bad id:${key(1)}`)).toThrow(/id of letters/);
    expect(() => parseKeyring(`k1:${key(1)},k1:${key(2)}`)).toThrow(/appears twice/);
    expect(configError({ ...TEST_ENV, ENCRYPTION_KEYS: 'nonsense' })).toMatch(/ENCRYPTION_KEYS: expected each key/);
  });
});

describe('provider URL allowlist', () => {
  it('reads PROVIDER_URL_ALLOWLIST, names a bad entry, and refuses the removed blanket switch', () => {
    const config = loadConfig({ ...TEST_ENV, PROVIDER_URL_ALLOWLIST: '127.0.0.1:11434, 10.0.0.0/8' });
    expect(config.outboundPolicy.allow.map((entry) => entry.text)).toEqual(['127.0.0.1:11434', '10.0.0.0/8']);
    expect(configError({ ...TEST_ENV, PROVIDER_URL_ALLOWLIST: '10.0.0.0/40' })).toMatch(
      /PROVIDER_URL_ALLOWLIST: "10\.0\.0\.0\/40" is not a valid CIDR range/,
    );
    expect(configError({ ...TEST_ENV, ALLOW_PRIVATE_PROVIDER_URLS: 'true' })).toMatch(
      /ALLOW_PRIVATE_PROVIDER_URLS: removed; .*PROVIDER_URL_ALLOWLIST/,
    );
  });
});

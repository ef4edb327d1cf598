// Account protections over HTTP: common passwords refused, a password change ends the other sessions, failed
// sign-ins limited per account (the same for an account that does not exist), sign-ups limited per email.
import { hash } from '@node-rs/argon2';
import { hashPassword as scryptHash } from 'better-auth/crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account, user } from '../src/shared/db/schema/index.ts';
import { passwordProblem } from '../src/shared/lib/account-guard.ts';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { AUTH_ACCOUNT_RATE_LIMIT_MAX: '3' } });
});
afterAll(async () => {
  await server.close();
});

async function signUp(client: Client, email: string, password = PASSWORD) {
  return client.postJson('/api/auth/sign-up/email', { email, password, name: 'Account' });
}

async function signIn(client: Client, email: string, password = PASSWORD) {
  return client.postJson('/api/auth/sign-in/email', { email, password });
}

describe('passwords', () => {
  it.each(['password', '12345678', 'Password1', 'iloveyou', '        ', 'aaaaaaaaaaaa', 'qwertyuiop'])(
    'refuses %j at sign-up',
    async (password) => {
      const response = await signUp(
        new Client(server.url),
        `weak-${Buffer.from(password).toString('hex')}@example.com`,
        password,
      );
      expect(response.status).toBe(400);
      expect(((await response.json()) as { code: string }).code).toMatch(/PASSWORD_NOT_ALLOWED|PASSWORD_TOO_SHORT/);
    },
  );

  it('accepts a long passphrase without composition rules', () => {
    expect(passwordProblem('correct horse battery staple')).toBeNull();
    expect(passwordProblem('plain lowercase words only')).toBeNull();
    expect(passwordProblem('someone@example.com', { email: 'someone@example.com' })).toMatch(/email/);
  });

  it('refuses a common password as the new one in a change', async () => {
    const client = new Client(server.url);
    await signUp(client, 'change-weak@example.com');
    const response = await client.postJson('/api/auth/change-password', {
      currentPassword: PASSWORD,
      newPassword: 'password1',
    });
    expect(response.status).toBe(400);
  });
});

describe('password change', () => {
  it('ends every other session even when the client asks to keep them', async () => {
    const laptop = new Client(server.url);
    const phone = new Client(server.url);
    expect((await signUp(laptop, 'change@example.com')).status).toBe(200);
    expect((await signIn(phone, 'change@example.com')).status).toBe(200);
    expect(await phone.trpc().chat.list.query({})).toBeTruthy();

    const changed = await laptop.postJson('/api/auth/change-password', {
      currentPassword: PASSWORD,
      newPassword: 'a new and longer passphrase',
      revokeOtherSessions: false,
    });
    expect(changed.status).toBe(200);

    // The other session is gone at once (no session cache); the one that changed the password goes on.
    await expect(phone.trpc().chat.list.query({})).rejects.toMatchObject({ data: { appCode: 'UNAUTHORIZED' } });
    expect(await laptop.trpc().chat.list.query({})).toBeTruthy();
  });
});

describe('guessing', () => {
  it('limits failed sign-ins per account, then lets the owner in once the window passes', async () => {
    const owner = new Client(server.url);
    await signUp(owner, 'guessed@example.com');
    // Each guess from a "different" client: the limit is the account's, not the address's.
    for (let i = 0; i < 3; i++) {
      expect((await signIn(new Client(server.url), 'guessed@example.com', `wrong guess ${i}`)).status).toBe(401);
    }
    const locked = await signIn(new Client(server.url), 'guessed@example.com');
    expect(locked.status).toBe(429);
    // A refused attempt is not counted, and the answer for an unknown account is the same.
    for (let i = 0; i < 3; i++) await signIn(new Client(server.url), 'nobody@example.com', `guess ${i}`);
    const unknown = await signIn(new Client(server.url), 'nobody@example.com');
    expect(unknown.status).toBe(429);
    expect(((await unknown.json()) as { message: string }).message).toBe(
      ((await locked.json()) as { message: string }).message,
    );
  });

  it('a successful sign-in clears the count', async () => {
    const owner = new Client(server.url);
    await signUp(owner, 'forgetful@example.com');
    for (let i = 0; i < 2; i++) await signIn(new Client(server.url), 'forgetful@example.com', `typo ${i}`);
    expect((await signIn(new Client(server.url), 'forgetful@example.com')).status).toBe(200);
    for (let i = 0; i < 2; i++) await signIn(new Client(server.url), 'forgetful@example.com', `typo again ${i}`);
    expect((await signIn(new Client(server.url), 'forgetful@example.com')).status).toBe(200);
  });

  it('limits sign-ups per email, so an unlimited caller cannot probe one address', async () => {
    await signUp(new Client(server.url), 'probed@example.com');
    for (let i = 0; i < 2; i++)
      expect((await signUp(new Client(server.url), 'probed@example.com')).status).not.toBe(429);
    expect((await signUp(new Client(server.url), 'probed@example.com')).status).toBe(429);
  });
});

describe('password hashes', () => {
  async function storedHash(email: string): Promise<string> {
    const [row] = await server.database.db
      .select({ password: account.password })
      .from(account)
      .innerJoin(user, eq(user.id, account.userId))
      .where(eq(user.email, email));
    return row?.password ?? '';
  }

  async function setHash(email: string, password: string) {
    const [found] = await server.database.db.select({ id: user.id }).from(user).where(eq(user.email, email));
    await server.database.db
      .update(account)
      .set({ password })
      .where(eq(account.userId, found?.id ?? ''));
  }

  it('stores argon2id at OWASP minimum (19 MiB, t=2, p=1)', async () => {
    await signUp(new Client(server.url), 'hash@example.com');
    expect(await storedHash('hash@example.com')).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it.each([
    ['a weaker argon2id hash', () => hash(PASSWORD, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 })],
    ["Better Auth's scrypt", () => scryptHash(PASSWORD)],
  ])('upgrades %s at the next sign-in', async (_name, make) => {
    const email = `upgrade-${Math.random().toString(36).slice(2)}@example.com`;
    await signUp(new Client(server.url), email);
    await setHash(email, await make());
    expect(await storedHash(email)).not.toMatch(/m=19456,t=2/);
    expect((await signIn(new Client(server.url), email)).status).toBe(200);
    expect(await storedHash(email)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await signIn(new Client(server.url), email)).status).toBe(200);
  });
});

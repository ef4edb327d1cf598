// Account protections over HTTP: common passwords refused, a password change ends the other sessions, failed
// sign-ins limited per account (the same for an account that does not exist), sign-ups limited per email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

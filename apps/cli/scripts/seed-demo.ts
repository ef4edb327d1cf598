// Seeds a demo account on a running server, on the CLI's own client: signs up (or signs in) a demo user through
// Better Auth's routes, makes an API key with that session, then with the key adds an OpenAI-compatible provider
// and a chat. Prints the key and the ids as JSON.
//
//   PARLEY_URL=http://127.0.0.1:3000 [DEMO_PROVIDER_BASE_URL=http://127.0.0.1:11434/v1] pnpm seed:demo
//
// Optional: DEMO_EMAIL, DEMO_PASSWORD, DEMO_MODEL (default llama3.2).
import { apiKeyClient, createParleyClient, normalizeServerUrl } from '../src/client.ts';
import { describeError } from '../src/errors.ts';

const env = process.env;
const url = normalizeServerUrl(env.PARLEY_URL ?? 'http://127.0.0.1:3000');
const providerBaseUrl = env.DEMO_PROVIDER_BASE_URL ?? 'http://127.0.0.1:11434/v1';
const email = env.DEMO_EMAIL ?? 'demo@example.com';
const password = env.DEMO_PASSWORD ?? 'parley-demo-password';
const model = env.DEMO_MODEL ?? 'llama3.2';
const PROVIDER_NAME = 'Demo (OpenAI-compatible)';

/** POSTs to a Better Auth route; returns the session cookie it set, or null with the reason when it refused. */
async function authPost(path: string, body: object): Promise<{ cookie: string | null; status: number; text: string }> {
  const response = await fetch(`${url}/api/auth/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify(body),
  });
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0] ?? '')
    .filter((pair) => pair.includes('='))
    .join('; ');
  return { cookie: response.ok && cookie ? cookie : null, status: response.status, text: await response.text() };
}

async function sessionCookie(): Promise<{ cookie: string; created: boolean }> {
  const signUp = await authPost('sign-up/email', { email, password, name: 'Demo' });
  if (signUp.cookie) return { cookie: signUp.cookie, created: true };
  const signIn = await authPost('sign-in/email', { email, password });
  if (signIn.cookie) return { cookie: signIn.cookie, created: false };
  throw new Error(
    `could not sign up (${signUp.status} ${signUp.text}) nor sign in (${signIn.status} ${signIn.text}) as ${email}`,
  );
}

async function seed() {
  const { cookie, created } = await sessionCookie();
  const browser = createParleyClient({ url, headers: { cookie, origin: url } });
  const apiKey = await browser.auth.apiKeys.create.mutate({ name: `demo ${new Date().toISOString()}` });

  const api = apiKeyClient(url, apiKey.key);
  const existing = (await api.providers.list.query()).find((p) => p.name === PROVIDER_NAME);
  const provider =
    existing ??
    (await api.providers.create.mutate({
      kind: 'openai-compatible',
      name: PROVIDER_NAME,
      baseUrl: providerBaseUrl,
      defaultModel: model,
    }));
  const chat = await api.chat.create.mutate({ title: 'Demo chat', providerId: provider.id });
  return {
    url,
    email,
    password,
    userCreated: created,
    apiKey: apiKey.key,
    apiKeyId: apiKey.id,
    providerId: provider.id,
    providerBaseUrl: provider.baseUrl,
    chatId: chat.id,
  };
}

try {
  process.stdout.write(`${JSON.stringify(await seed(), null, 2)}\n`);
} catch (error) {
  process.stderr.write(`seed-demo: ${describeError(error, url).message}\n`);
  process.exitCode = 1;
}

// Setting up what a part measures, through the product's own HTTP API (sign-up, API keys, providers, chats).
// Plain fetch with tRPC's wire format: superjson sends plain JSON under `json`, and only ids are read back.

export interface Account {
  userId: string;
  email: string;
  /** The Cookie header Better Auth set at sign-up. */
  cookie: string;
  /** Headers of a cookie-authenticated call (writes need a trusted Origin). */
  headers: Record<string, string>;
}

let made = 0;

export async function signUp(base: string, label = 'bench'): Promise<Account> {
  const email = `${label}-${process.pid}-${++made}@example.com`;
  const response = await fetch(`${base}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ email, password: 'bench password 123', name: label }),
  });
  if (!response.ok) throw new Error(`sign-up: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string } };
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { userId: body.user.id, email, cookie, headers: { cookie, origin: base } };
}

/** Calls a tRPC mutation over HTTP and returns its output (as JSON). */
export async function mutate<T>(base: string, headers: Record<string, string>, path: string, input: unknown) {
  const response = await fetch(`${base}/trpc/${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ json: input }),
  });
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!body.result) throw new Error(`${path}: ${response.status} ${JSON.stringify(body.error)}`);
  return body.result.data.json;
}

/** The URL of a tRPC query with its input. */
export function queryUrl(base: string, path: string, input?: unknown): string {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  return `${base}/trpc/${path}${query}`;
}

export async function createApiKey(base: string, account: Account): Promise<string> {
  const created = await mutate<{ key: string }>(base, account.headers, 'auth.apiKeys.create', { name: 'bench' });
  return created.key;
}

export async function createProvider(base: string, account: Account, baseUrl: string): Promise<string> {
  const provider = await mutate<{ id: string }>(base, account.headers, 'providers.create', {
    kind: 'openai-compatible',
    name: 'Fake',
    baseUrl,
    apiKey: 'sk-bench',
    defaultModel: 'fake-large',
  });
  return provider.id;
}

export async function createChat(base: string, account: Account, input: { providerId?: string; title: string }) {
  return (await mutate<{ id: string }>(base, account.headers, 'chat.create', input)).id;
}

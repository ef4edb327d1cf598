// The baseline: a hand-written Fastify server (no logger) doing the same work as Parley's routes with plain SQL
// through postgres.js (prepared statements, a pool of 10 like Parley's). Authenticated routes verify Better Auth's
// signed session cookie themselves and read session and user by token in one indexed query, or hash an API key the
// way @better-auth/api-key stores it and read key and user in one query. Runs in a process of its own.
// Env: DATABASE_URL, PORT, AUTH_SECRET.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import postgres from 'postgres';

const secret = process.env.AUTH_SECRET ?? '';
const sql = postgres(process.env.DATABASE_URL ?? '', { max: 10, onnotice: () => {} });
const COOKIE = 'better-auth.session_token';

interface Caller {
  id: string;
  email: string;
  name: string;
  image: string | null;
  role: string;
  created_at: Date;
}

/** The token of a signed cookie `<token>.<base64 HMAC-SHA256(token, secret)>` (URL-encoded), or null. */
function verifiedToken(header: string | undefined): string | null {
  if (!header) return null;
  const start = header.indexOf(`${COOKIE}=`);
  if (start === -1) return null;
  const end = header.indexOf(';', start);
  const value = decodeURIComponent(header.slice(start + COOKIE.length + 1, end === -1 ? undefined : end));
  const dot = value.lastIndexOf('.');
  if (dot < 1) return null;
  const token = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), 'base64');
  const expected = createHmac('sha256', secret).update(token).digest();
  return given.length === expected.length && timingSafeEqual(given, expected) ? token : null;
}

async function bySession(token: string): Promise<Caller | null> {
  const [row] = await sql<(Caller & { expires_at: Date })[]>`
    select u.id, u.email, u.name, u.image, u.role, u.created_at, s.expires_at
    from session s join "user" u on u.id = s.user_id
    where s.token = ${token}`;
  return row && row.expires_at > new Date() ? row : null;
}

async function byApiKey(key: string): Promise<Caller | null> {
  const hashed = createHash('sha256').update(key).digest('base64url');
  const [row] = await sql<(Caller & { enabled: boolean | null; expires_at: Date | null })[]>`
    select u.id, u.email, u.name, u.image, u.role, u.created_at, k.enabled, k.expires_at
    from apikey k join "user" u on u.id = k.user_id
    where k.key = ${hashed}`;
  if (!row || row.enabled === false) return null;
  return row.expires_at && row.expires_at <= new Date() ? null : row;
}

async function caller(request: FastifyRequest, reply: FastifyReply): Promise<Caller | null> {
  // A session cookie wins over an API key, as in Parley (API.md).
  const token = verifiedToken(request.headers.cookie);
  const key = request.headers['x-api-key'];
  const found = token ? await bySession(token) : typeof key === 'string' ? await byApiKey(key) : null;
  if (!found) reply.code(401).send({ error: 'unauthorized' });
  return found;
}

const app = Fastify({ logger: false });

app.get('/ready', async () => {
  await sql`select 1`;
  return { status: 'ready' };
});

// P1: what tRPC answers for auth.getSession when signed out.
app.get('/raw/trivial', async () => ({ result: { data: { json: null } } }));

// P1b: users.me — the caller and their preferences.
app.get('/raw/me', async (request, reply) => {
  const user = await caller(request, reply);
  if (!user) return reply;
  const [preferences] = await sql`
    select default_provider_id, default_model, system_prompt from preferences where user_id = ${user.id}`;
  return { ...user, preferences: preferences ?? null };
});

// P2: chat.list — the caller's 20 most recently updated chats (one more to know whether a next page exists).
app.get('/raw/chats', async (request, reply) => {
  const user = await caller(request, reply);
  if (!user) return reply;
  const rows = await sql`
    select id, title, provider_id, model, system_prompt, created_at, updated_at from chat
    where user_id = ${user.id} order by updated_at desc, id desc limit 21`;
  return { items: rows.slice(0, 20), nextCursor: rows.length > 20 ? 'more' : null };
});

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });

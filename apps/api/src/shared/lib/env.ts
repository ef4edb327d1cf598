// The one place that reads process.env. Everything else receives a validated Config.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MAX_MESSAGE_CHARS, MAX_BATCH_SIZE, MESSAGE_CHARS_BOUND } from '@parley/shared/limits';
import { z } from 'zod';
import { loadDevSecrets } from './dev-secrets.ts';
import { type Keyring, parseKeyring } from './keyring.ts';
import { type OutboundPolicy, parseAllowlist } from './outbound.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected an integer from ${min} to ${max}` })
    .int({ error: `expected an integer from ${min} to ${max}` })
    .min(min, { error: `expected an integer from ${min} to ${max}` })
    .max(max, { error: `expected an integer from ${min} to ${max}` });

const origin = z.url({ protocol: /^https?$/, error: 'expected an http(s) origin such as http://localhost:5173' });

export const EnvSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'], {
      error: 'expected one of development, test, production',
    })
    .default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: origin.optional(),
  TRUSTED_ORIGINS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(origin))
    .default([]),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, { error: 'expected a postgres:// or postgresql:// connection URL' })
    .optional(),
  DATABASE_POOL_MAX: int(1, 1_000).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: int(100, 60_000).default(1_500),
  DATABASE_ACQUIRE_TIMEOUT_MS: int(100, 60_000).default(1_000),
  DATABASE_STATEMENT_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  DATA_DIR: z.string().min(1).default('.data'),
  AUTH_SECRET: z.string().min(32, { error: 'expected at least 32 characters of random text' }).optional(),
  ENCRYPTION_KEYS: z
    .string()
    .transform((value, ctx) => {
      try {
        return parseKeyring(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  TRPC_MAX_BATCH_SIZE: int(1, 100).default(MAX_BATCH_SIZE),
  TRPC_FAST_PATH: z.stringbool({ error: 'expected true or false' }).default(true),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  REQUEST_TIMEOUT_MS: int(1_000, 3_600_000).default(30_000),
  // Above the 10 s keep-alive ping of tRPC's event streams, so a quiet live reply is not cut off.
  CONNECTION_TIMEOUT_MS: int(15_000, 3_600_000).default(120_000),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400).default(60),
  AUTH_RATE_LIMIT_MAX: int(1, 100_000).default(10),
  AUTH_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400).default(300),
  AUTH_ACCOUNT_RATE_LIMIT_MAX: int(1, 100_000).default(10),
  TRUST_PROXY: z.stringbool({ error: 'expected true or false' }).default(false),
  PROVIDER_URL_ALLOWLIST: z
    .string()
    .transform((value, ctx) => {
      try {
        return parseAllowlist(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .default([]),
  PROVIDER_TIMEOUT_MS: int(100, 600_000).default(15_000),
  MAX_MESSAGE_CHARS: int(1, MESSAGE_CHARS_BOUND).default(DEFAULT_MAX_MESSAGE_CHARS),
  MAX_CONCURRENT_GENERATIONS: int(1, 1_000).default(3),
  HISTORY_WINDOW_MESSAGES: int(1, 1_000).default(40),
  CHECKPOINT_INTERVAL_MS: int(10, 60_000).default(250),
  STALE_GENERATION_MS: int(1_000, 3_600_000).default(8_000),
  REPLY_DRAIN_MS: int(0, 600_000).default(5_000),
  PROVIDER_IDLE_TIMEOUT_MS: int(100, 3_600_000).default(60_000),
  MAX_STREAMS_PER_USER: int(1, 10_000).default(20),
  MAX_STREAMS_PER_SERVER: int(1, 1_000_000).default(10_000),
  SPEND_CAP_TOKENS: int(1, 1_000_000_000_000).optional(),
  SPEND_CAP_PERIOD: z.enum(['day', 'month'], { error: 'expected day or month' }).default('month'),
  SPEND_MAX_OUTPUT_TOKENS: int(1, 1_000_000).default(4_096),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, { error: 'expected a redis:// or rediss:// connection URL' })
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,64}$/, { error: 'expected up to 64 letters, digits, or _ : . -' })
    .default('parley:'),
  METRICS_TOKEN: z.string().min(16, { error: 'expected at least 16 characters' }).optional(),
  ADMIN_EMAILS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.email({ error: 'expected comma-separated email addresses' })))
    .default([]),
  API_KEY_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  USER_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000_000).default(1_200),
  IP_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000_000).default(600),
  WEB_DIST_DIR: z.string().min(1).optional(),
});

/** Every variable the server reads (.env.example documents each; a test keeps the two in step). */
export const ENV_VARIABLES = Object.keys(EnvSchema.shape);

export type EnvSource = Record<string, string | undefined>;

/** Reads the process environment. The only reader of process.env in the server. */
export function readEnv(): EnvSource {
  return { ...process.env };
}

type Env = z.output<typeof EnvSchema>;

/**
 * The configuration: the environment's schema carried on into the shape the server uses. Its type is this schema's
 * output (below), so a setting is declared once, in EnvSchema, and read everywhere through Config.
 */
export const ConfigSchema = EnvSchema.transform((env, ctx) => {
  const secrets = resolveSecrets(env, ctx);
  const webDistDir = webDist(env.WEB_DIST_DIR, ctx);
  const publicUrl = (env.PUBLIC_URL ?? `http://${hostForUrl(env.HOST)}:${env.PORT}`).replace(/\/+$/, '');
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    publicUrl,
    trustedOrigins: [...new Set([new URL(publicUrl).origin, ...env.TRUSTED_ORIGINS.map((o) => new URL(o).origin)])],
    database: env.DATABASE_URL
      ? { kind: 'postgres' as const, url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX }
      : { kind: 'pglite' as const, dataDir: `${env.DATA_DIR}/pglite` },
    /** Bounds on every wait for PostgreSQL, so a database that is down answers 503 quickly instead of hanging. */
    databaseTimeouts: {
      connectMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      /** Longest a query waits for a free connection of the pool. */
      acquireMs: env.DATABASE_ACQUIRE_TIMEOUT_MS,
      /** PostgreSQL's statement_timeout for every connection. */
      statementMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    dataDir: env.DATA_DIR,
    ...secrets,
    logLevel: env.LOG_LEVEL,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    trpcMaxBatchSize: env.TRPC_MAX_BATCH_SIZE,
    /** Answer GET queries without the official tRPC adapter (shared/plugins/trpc-fast-queries.ts). */
    trpcFastPath: env.TRPC_FAST_PATH,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    /** Longest a client may take to send a whole request (headers and body): slow-body clients are cut off. */
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    /** Longest a connection may stay silent both ways (a client that stops reading is cut off). */
    connectionTimeoutMs: env.CONNECTION_TIMEOUT_MS,
    authRateLimit: { windowSeconds: env.AUTH_RATE_LIMIT_WINDOW_SECONDS, max: env.AUTH_RATE_LIMIT_MAX },
    /** Failed sign-ins per account, and sign-ups per email, within the window. */
    authAccountRateLimit: {
      windowSeconds: env.AUTH_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS,
      max: env.AUTH_ACCOUNT_RATE_LIMIT_MAX,
    },
    trustProxy: env.TRUST_PROXY,
    /** Which addresses provider base URLs may reach: development and tests reach local servers, production only public ones. */
    outboundPolicy: {
      allowLoopback: env.NODE_ENV !== 'production',
      allow: env.PROVIDER_URL_ALLOWLIST,
    } satisfies OutboundPolicy,
    /** Bound on one call to a provider made to test it or list its models. */
    providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
    chat: chatLimits(env),
    /** Redis shared by several servers (replies, stops, limits, rate limits); null: everything stays in-process. */
    redisUrl: env.REDIS_URL ?? null,
    /** Starts every Redis key and channel (REDIS_PREFIX). */
    redisPrefix: env.REDIS_PREFIX,
    /** Bearer token /metrics asks for; null: /metrics is open, except in production where it is off. */
    metricsToken: env.METRICS_TOKEN ?? null,
    /** Users with these emails are admins (given at sign-up, and at every start). */
    adminEmails: env.ADMIN_EMAILS,
    apiKeyRateLimitPerMinute: env.API_KEY_RATE_LIMIT_PER_MINUTE,
    /** Requests per minute per API key, per signed-in user, and per address for signed-out calls. */
    rateLimits: {
      apiKey: env.API_KEY_RATE_LIMIT_PER_MINUTE,
      user: env.USER_RATE_LIMIT_PER_MINUTE,
      ip: env.IP_RATE_LIMIT_PER_MINUTE,
    },
    /** The built web app the server also serves at /, or null when there is none. */
    webDistDir,
    /** Said once at boot, after the logger exists (for example: development secrets were generated). */
    warnings: secrets.warnings,
  };
});

export type Config = z.output<typeof ConfigSchema>;
export type Environment = Config['env'];
export type LogLevel = Config['logLevel'];
export type DatabaseConfig = Config['database'];
export type DatabaseTimeouts = Config['databaseTimeouts'];
export type ChatLimits = Config['chat'];

/** Validates the environment and resolves defaults. Throws ConfigError naming every bad variable. */
export function loadConfig(source: EnvSource): Config {
  // An empty value in a .env file means "not set".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  // Removed: it opened loopback (Parley's own port too) and every private range at once. Said loudly, so a
  // self-hosted setup does not just start refusing its provider.
  if (cleaned.ALLOW_PRIVATE_PROVIDER_URLS !== undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  ALLOW_PRIVATE_PROVIDER_URLS: removed; list the hosts or ranges providers may reach in PROVIDER_URL_ALLOWLIST (for example 127.0.0.1:11434,192.168.1.0/24)',
    );
  }
  const parsed = ConfigSchema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const got = cleaned[name] === undefined ? '' : ` (got ${JSON.stringify(redactValue(name, cleaned[name]))})`;
    return `  ${name}: ${issue.message}${got}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

type Issues = z.core.$RefinementCtx;

/** AUTH_SECRET and ENCRYPTION_KEYS: required in production, else generated once and kept in DATA_DIR. */
function resolveSecrets(env: Env, ctx: Issues) {
  const warnings: string[] = [];
  let authSecret = env.AUTH_SECRET;
  let encryptionKeys = env.ENCRYPTION_KEYS;
  if (env.NODE_ENV === 'production') {
    if (!authSecret) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_SECRET'],
        message: 'required when NODE_ENV=production (at least 32 characters of random text)',
      });
    }
    if (!encryptionKeys) {
      ctx.addIssue({
        code: 'custom',
        path: ['ENCRYPTION_KEYS'],
        message: 'required when NODE_ENV=production (id:base64-32-byte-key[,…])',
      });
    }
  } else if (!authSecret || !encryptionKeys) {
    const dev = loadDevSecrets(env.DATA_DIR);
    authSecret ??= dev.authSecret;
    encryptionKeys ??= parseKeyring(dev.encryptionKeys);
    warnings.push(
      `${dev.created ? 'Generated' : 'Using'} development secrets kept in ${dev.file}; set AUTH_SECRET and ENCRYPTION_KEYS for real use`,
    );
  }
  // Missing only when an issue was added above: the parse fails and this value is never seen.
  return { authSecret: authSecret ?? '', encryptionKeys: encryptionKeys as Keyring, warnings };
}

/** Bounds on chat and replies. */
function chatLimits(env: Env) {
  return {
    maxMessageChars: env.MAX_MESSAGE_CHARS,
    maxConcurrentGenerations: env.MAX_CONCURRENT_GENERATIONS,
    historyWindow: env.HISTORY_WINDOW_MESSAGES,
    /** How often a streaming reply's text is written to the database (and its heartbeat). */
    checkpointIntervalMs: env.CHECKPOINT_INTERVAL_MS,
    /** A reply still `streaming` with no heartbeat for this long was left by a process that died. */
    staleGenerationMs: env.STALE_GENERATION_MS,
    /** A provider that sends nothing for this long (first token included) has its call aborted: the reply errs. */
    providerIdleTimeoutMs: env.PROVIDER_IDLE_TIMEOUT_MS,
    /** Reply streams one user may hold open at once on one server. */
    maxStreamsPerUser: env.MAX_STREAMS_PER_USER,
    /** Reply streams all users together may hold open at once on one server. */
    maxStreamsPerServer: env.MAX_STREAMS_PER_SERVER,
    /** On shutdown, how long live replies may go on to finish before they are closed as interrupted. */
    drainMs: env.REPLY_DRAIN_MS,
    /** Spend caps: the default cap in tokens per period for every user (null: none), set per user by admins. */
    spendCapTokens: env.SPEND_CAP_TOKENS ?? null,
    spendCapPeriod: env.SPEND_CAP_PERIOD,
    /** The most a reply may write when its user has a cap: the output half of the worst case a send reserves. */
    spendMaxOutputTokens: env.SPEND_MAX_OUTPUT_TOKENS,
  };
}

/** The web app's build: WEB_DIST_DIR, else apps/web/dist when it has been built. */
function webDist(configured: string | undefined, ctx: Issues): string | null {
  if (configured) {
    if (existsSync(join(configured, 'index.html'))) return resolve(configured);
    ctx.addIssue({ code: 'custom', path: ['WEB_DIST_DIR'], message: 'expected a folder with index.html' });
    return null;
  }
  const built = fileURLToPath(new URL('../../../../web/dist', import.meta.url));
  return existsSync(join(built, 'index.html')) ? built : null;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function redactValue(name: string, value: string | undefined): string | undefined {
  return /SECRET|KEY|DATABASE_URL/.test(name) ? '[redacted]' : value;
}

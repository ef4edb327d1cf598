// The composition root: everything one Parley process keeps for its lifetime, built in one place from its config.
// The server (app.ts), the scripts and the test harness use it alike. With REDIS_URL unset everything stays in this
// process (the embedded default needs nothing else); with it set, what servers must share goes through Redis: the
// reply bus and stop requests, the limit on concurrent replies, and the rate limiters.
import type { FastifyBaseLogger } from 'fastify';
import { createOutbound, type Outbound } from './modules/providers/index.ts';
import { closeInterruptedReplies, createReplies, type Replies } from './modules/replies/index.ts';
import { promoteAdmins, resumeAccountDeletions, stopAccountDeletions } from './modules/users/index.ts';
import { type Auth, createAuth, createSessions } from './shared/auth.ts';
import { type Database, openDatabase } from './shared/db/client.ts';
import { setCursorSecret } from './shared/lib/cursor.ts';
import type { Config } from './shared/lib/env.ts';
import { createMetrics, type Metrics } from './shared/metrics.ts';
import { createRedisConnections, type RedisConnections } from './shared/redis.ts';
import type { SessionLookup } from './shared/session-lookup.ts';

export interface Services {
  config: Config;
  database: Database;
  redis: RedisConnections | null;
  auth: Auth;
  sessions: SessionLookup;
  outbound: Outbound;
  replies: Replies;
  metrics: Metrics;
  /** Ends live replies (within REPLY_DRAIN_MS), then closes Redis and the database. */
  close(): Promise<void>;
}

export interface ServiceDeps {
  log: FastifyBaseLogger;
  /** An open database to use instead of the one the config names (tests). Closed with the services. */
  database?: Database;
  /** Replaces the outbound (tests swap in a mock model). */
  outbound?: Outbound;
}

/** Opens the database (migrated), Redis when configured, and builds every service; runs the start-up chores. */
export async function createServices(config: Config, deps: ServiceDeps): Promise<Services> {
  const { log } = deps;
  // Page cursors carry a MAC keyed by AUTH_SECRET: every server of the deployment accepts the others' cursors.
  setCursorSecret(config.authSecret);
  const database = deps.database ?? (await openDatabase(config.database, config.databaseTimeouts));
  let redis: RedisConnections | null = null;
  try {
    await database.migrate();
    redis = config.redisUrl ? createRedisConnections(config.redisUrl, config.redisPrefix, log) : null;
    // Several servers need Redis from the start: a server that cannot reach it says so and does not start.
    await redis?.check(config.databaseTimeouts.connectMs * 2);
    const metrics = createMetrics();
    const auth = createAuth({ config, db: database.db, log, redis });
    const sessions = createSessions({ auth, config, db: database.db });
    const outbound = deps.outbound ?? createOutbound(config.outboundPolicy, config.providerTimeoutMs);
    const replies = createReplies({
      db: database.db,
      log,
      limits: config.chat,
      redis,
      onBusLag: (ms) => metrics.busLagSeconds.observe(ms / 1000),
      observe: {
        firstToken: (seconds) => metrics.firstTokenSeconds.observe(seconds),
        ended(outcome, perSecond) {
          metrics.replyOutcomes.inc({ outcome });
          if (perSecond !== null) metrics.tokensPerSecond.observe(perSecond);
        },
        providerError: (kind) => metrics.providerErrors.inc({ kind }),
      },
    });
    metrics.sources.current = {
      liveReplies: () => replies.engine.liveCount,
      openStreams: () => replies.streamSlots.total(),
      database: () => database.stats(),
    };

    const promoted = await promoteAdmins({ db: database.db, emails: config.adminEmails });
    if (promoted > 0) log.info({ promoted }, 'made the users named in ADMIN_EMAILS admins');
    const interrupted = await closeInterruptedReplies(database.db, config.chat);
    if (interrupted > 0) log.warn({ interrupted }, 'closed replies left streaming by a process that stopped');
    await resumeAccountDeletions({ db: database.db, log });

    return {
      config,
      database,
      redis,
      auth,
      sessions,
      outbound,
      replies,
      metrics,
      async close() {
        await replies.close();
        // The running batch ends; the rest is resumed by the next start (an unfinished deletion keeps its mark).
        await stopAccountDeletions(database.db);
        await redis?.close();
        await database.close();
      },
    };
  } catch (error) {
    await redis?.close();
    await database.close();
    throw error;
  }
}

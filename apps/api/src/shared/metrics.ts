// Prometheus metrics (prom-client), one registry per server instance. docs/METRICS.md describes each metric.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  /** Replies generating on this server now. */
  liveReplies(): number;
  /** Reply streams open on this server now. */
  openStreams(): number;
  /** Database connections: how many the pool may open, and how many queries are running or waiting. */
  database(): { max: number; busy: number };
}

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_process_' });
  const sources: { current: MetricsSources | null } = { current: null };
  const metrics = {
    registry,
    requests: new Counter({
      name: 'parley_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (to the end of the response), by method and route pattern',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers: [registry],
    }),
    firstTokenSeconds: new Histogram({
      name: 'parley_reply_first_token_seconds',
      help: 'Time from the start of a reply to its first text from the provider',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    tokensPerSecond: new Histogram({
      name: 'parley_reply_output_tokens_per_second',
      help: 'Output tokens per second of each reply that reported usage, from its first token to its end',
      buckets: [1, 5, 10, 25, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    replyOutcomes: new Counter({
      name: 'parley_replies_total',
      help: 'Replies that ended, by outcome: complete, stopped, error, or gone (ended without a final write)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    providerErrors: new Counter({
      name: 'parley_provider_errors_total',
      help: 'Replies a provider failed, by kind: idle (no data within PROVIDER_IDLE_TIMEOUT_MS), http (an error status), network, other',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    busLagSeconds: new Histogram({
      name: 'parley_bus_lag_seconds',
      help: 'Reply events read from Redis: time from the owner writing a batch to this server reading it',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    /** Where the gauges read from, set once the services exist. */
    sources,
  };
  new Gauge({
    name: 'parley_live_replies',
    help: 'Replies generating on this server now',
    registers: [registry],
    collect() {
      this.set(sources.current?.liveReplies() ?? 0);
    },
  });
  new Gauge({
    name: 'parley_open_reply_streams',
    help: 'Reply streams (chat.stream, chat.sendAndStream) open on this server now',
    registers: [registry],
    collect() {
      this.set(sources.current?.openStreams() ?? 0);
    },
  });
  new Gauge({
    name: 'parley_db_pool_max_connections',
    help: 'Connections the database pool may open (DATABASE_POOL_MAX; 1 for embedded PGlite)',
    registers: [registry],
    collect() {
      this.set(sources.current?.database().max ?? 0);
    },
  });
  new Gauge({
    name: 'parley_db_queries_in_flight',
    help: 'Database queries running or waiting for a connection now',
    registers: [registry],
    collect() {
      this.set(sources.current?.database().busy ?? 0);
    },
  });
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

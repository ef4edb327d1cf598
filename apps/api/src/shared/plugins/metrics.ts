// GET /metrics in Prometheus text format (docs/METRICS.md), and the request counters it reports. With METRICS_TOKEN
// set it needs that token as a bearer token; without one it is open in development and off in production.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.ts';

export async function metricsPlugin(
  app: FastifyInstance,
  options: { metrics: Metrics; token: string | null; production: boolean },
) {
  const { metrics, token } = options;
  app.addHook('onResponse', async (request, reply) => {
    // The route's pattern (never the path: ids would make a series per chat); unmatched requests are one series.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.requestSeconds.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  if (options.production && !token) return;
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  app.get('/metrics', async (request, reply) => {
    if (expected) {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: 'Unauthorized', message: 'GET /metrics needs METRICS_TOKEN as a bearer token' });
      }
    }
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

// Not encapsulated: the request counters see every route of the app.
Object.assign(metricsPlugin, { [Symbol.for('skip-override')]: true });

// HTTP hardening in one place: security headers (helmet, with a CSP the web app passes), no caching of API answers,
// compression of JSON and assets (never of event streams), and CORS for the trusted origins only.
import { constants as zlibConstants } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import type { Config } from '../lib/env.ts';

// Text event streams (tRPC subscriptions) are left alone: a compressor holds bytes back, and a stream's events
// must arrive as they are written.
const COMPRESSIBLE =
  /^(application\/(json|javascript|manifest\+json)|text\/(html|css|javascript|plain)|image\/svg\+xml)\b/;

export async function securityPlugin(
  app: FastifyInstance,
  { config }: { config: Pick<Config, 'env' | 'publicUrl' | 'trustedOrigins'> },
) {
  const https = config.publicUrl.startsWith('https://');
  // helmet's middleware, built once: @fastify/helmet 13 builds it again for every request (its CSP parsing showed in
  // the profile of a trivial query).
  const securityHeaders = helmet({
    // The web app is one module script and one stylesheet from this origin (Vite's build), calling this origin.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Inline styles too: Radix's dialogs lock page scrolling with a <style> element they insert (blocked, each
        // dialog logged a CSP error and the page behind it still scrolled). Scripts stay 'self' only.
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Avatars: https: or data:image/ URLs (the image URL rule).
        imgSrc: ["'self'", 'data:', 'https:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS only where it means something: production served over TLS (a browser would remember it for a year).
    hsts: config.env === 'production' && https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });

  // API answers are private to the caller (or say whether someone is signed in): no browser or proxy keeps them.
  // Static assets keep the cache headers @fastify/static gives them.
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  await app.register(fastifyCompress, {
    customTypes: COMPRESSIBLE,
    threshold: 1024,
    encodings: ['br', 'gzip', 'deflate'],
    // Brotli's default quality (11) costs far more CPU than it saves bytes on JSON; 4 is close to gzip's speed.
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  });

  // Only the trusted origins may read answers cross-origin, with cookies; any other origin gets no CORS headers.
  await app.register(fastifyCors, {
    origin: config.trustedOrigins,
    credentials: true,
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    maxAge: 600,
  });
}

// Not encapsulated (what fastify-plugin does): the headers, hooks and compression apply to every route of the app.
Object.assign(securityPlugin, { [Symbol.for('skip-override')]: true });

// HTTP hardening seen from a client: security headers, no caching of API answers, compression (never of event
// streams), CORS for trusted origins only, and a client that sends its body too slowly is cut off.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

const TRUSTED = 'http://localhost:5173';

let server: TestServer;
let client: Client;
beforeAll(async () => {
  server = await startServer({ env: { TRUSTED_ORIGINS: TRUSTED, REQUEST_TIMEOUT_MS: '1000' } });
  client = new Client(server.url);
  await client.postJson('/api/auth/sign-up/email', { email: 'headers@example.com', password: PASSWORD, name: 'H' });
  // Enough chats that chat.list is worth compressing.
  for (let i = 0; i < 12; i++)
    await client.trpc().chat.create.mutate({ title: `a chat with a long enough title ${i}` });
});
afterAll(async () => {
  await server.close();
});

describe('headers', () => {
  it('sends a CSP, nosniff, frame and referrer protection; no HSTS over plain http', async () => {
    const response = await client.fetch('/health');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('marks every API answer, signed in or not, as not to be stored', async () => {
    for (const path of ['/trpc/chat.list?input=%7B%22json%22%3A%7B%7D%7D', '/api/v1/chats', '/api/auth/get-session']) {
      const response = await client.fetch(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control'), path).toContain('no-store');
    }
  });
});

describe('HSTS', () => {
  it('is sent in production behind TLS (PUBLIC_URL https), for a year with subdomains', async () => {
    const production = await startServer({ env: { NODE_ENV: 'production', PUBLIC_URL: 'https://parley.example' } });
    try {
      const response = await fetch(`${production.url}/health`);
      expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(response.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    } finally {
      await production.close();
    }
  });
});

describe('compression', () => {
  it('compresses a large JSON answer for a client that accepts it', async () => {
    // Node's fetch decompresses by itself; a raw request shows the encoding on the wire.
    const response = await rawGet('/api/v1/chats', { 'accept-encoding': 'gzip', cookie: cookieHeader() });
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('gzip');
  });

  it('leaves an answer uncompressed for a client that does not accept it', async () => {
    const response = await rawGet('/api/v1/chats', { cookie: cookieHeader() });
    expect(response.headers['content-encoding']).toBeUndefined();
  });
});

describe('CORS', () => {
  it('answers a preflight from a trusted origin, with credentials', async () => {
    const response = await fetch(`${server.url}/trpc/chat.create`, {
      method: 'OPTIONS',
      headers: { origin: TRUSTED, 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(TRUSTED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('gives an untrusted origin no CORS headers', async () => {
    const response = await fetch(`${server.url}/api/v1/chats`, { headers: { origin: 'https://evil.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('slow clients', () => {
  it('cuts off a request whose body does not arrive within REQUEST_TIMEOUT_MS', async () => {
    const url = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => {
        received += chunk;
      });
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      // Headers promise 100 bytes; one arrives, then nothing: the server must not wait for ever.
      socket.write(
        `POST /api/auth/sign-in/email HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`,
      );
      // A bound for the test itself only: the server answers well before (REQUEST_TIMEOUT_MS is 1 s here).
      setTimeout(() => {
        socket.destroy();
        reject(new Error('the server kept waiting for the body'));
      }, 15_000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});

function cookieHeader(): string {
  return [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

async function rawGet(path: string, headers: Record<string, string>) {
  const { request } = await import('node:http');
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

// The generated OpenAPI document and the plain-HTTP surface (/api/v1) that shares the tRPC procedures.

import { startFakeProvider } from '@parley/testkit';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/router.ts';
import { EXTRA_OPERATION_IDS } from '../src/shared/openapi.ts';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

let server: TestServer;
let document: Record<string, unknown> & {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
};
let apiKey: string;

beforeAll(async () => {
  server = await startServer();
  document = (await (await fetch(`${server.url}/openapi.json`)).json()) as typeof document;
  const client = new Client(server.url);
  await client.postJson('/api/auth/sign-up/email', { email: 'rest@example.com', password: PASSWORD, name: 'Rest' });
  apiKey = (await client.trpc().auth.apiKeys.create.mutate({ name: 'rest' })).key;
});
afterAll(async () => {
  await server.close();
});

function rest(path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('x-api-key', apiKey);
  if (init.body) headers.set('content-type', 'application/json');
  return fetch(`${server.url}/api/v1${path}`, { ...init, headers });
}

describe('what works', () => {
  it('the document is valid OpenAPI 3.1 by an independent validator', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result).toMatchObject({ valid: true });
  });

  it('every query and mutation of the router is in it (the list comes from the router)', () => {
    const procedures = Object.entries(appRouter._def.procedures)
      .filter(([, procedure]) => (procedure as unknown as { _def: { type: string } })._def.type !== 'subscription')
      .map(([path]) => path.replaceAll('.', '-'))
      .sort();
    const operations = Object.values(document.paths)
      .flatMap((item) => Object.values(item).map((operation) => operation.operationId))
      .filter((id) => id !== undefined && !EXTRA_OPERATION_IDS.has(id)) // routes that are not procedures
      .sort();
    expect(procedures.length).toBeGreaterThan(25);
    expect(operations).toEqual(procedures);
  });

  it('declares both auth schemes and an error shape carrying appCode', () => {
    const components = document.components as { securitySchemes: Record<string, { in: string; name: string }> };
    expect(components.securitySchemes.apiKey).toMatchObject({ in: 'header', name: 'x-api-key' });
    expect(components.securitySchemes.sessionCookie).toMatchObject({ in: 'cookie' });
    const error = document.paths['/chats']?.post?.responses['400'] as {
      content: { 'application/json': { schema: { $ref: string } } };
    };
    const name = error.content['application/json'].schema.$ref.replace('#/components/schemas/', '');
    const schemas = (document.components as { schemas: Record<string, { properties: Record<string, unknown> }> })
      .schemas;
    const data = schemas[name]?.properties.data as { properties: Record<string, unknown> };
    expect(Object.keys(data.properties)).toEqual(expect.arrayContaining(['appCode', 'code', 'httpStatus', 'zodError']));
  });

  it('plain fetch with an API key creates a chat and reads it back', async () => {
    const created = await rest('/chats', { method: 'POST', body: JSON.stringify({ title: 'From curl' }) });
    expect(created.status).toBe(200);
    const chat = (await created.json()) as { id: string; title: string; createdAt: string };
    expect(chat.title).toBe('From curl');
    expect(Number.isNaN(Date.parse(chat.createdAt))).toBe(false);
    const read = await rest(`/chats/${chat.id}`);
    expect(await read.json()).toMatchObject({ id: chat.id, title: 'From curl' });
    const listed = (await (await rest('/chats?limit=5')).json()) as { items: { id: string }[] };
    expect(listed.items.map((c) => c.id)).toContain(chat.id);
  });

  it('the docs page (Swagger UI) loads its scripts from this server, which the CSP allows, and shows this document', async () => {
    const page = await fetch(`${server.url}/docs/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    const html = await page.text();
    // Every script is a file of this origin: none inline (the CSP would block it), none from a CDN.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\.\/static\//);
      expect(body?.trim()).toBe('');
    }
    for (const [, attributes] of scripts) {
      const src = /src="\.\/([^"]+)"/.exec(attributes ?? '')?.[1];
      const asset = await fetch(`${server.url}/docs/${src}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
      expect((await asset.text()).length).toBeGreaterThan(0);
    }
    // The initializer points the UI at ./json, the document /openapi.json serves.
    const init = await (await fetch(`${server.url}/docs/static/swagger-initializer.js`)).text();
    expect(init).toContain("resolveUrl('./json')");
    expect(await (await fetch(`${server.url}/docs/json`)).json()).toEqual(document);
  });
});

describe('following a reply without tRPC', () => {
  it('send over REST, then poll the messages, or read the SSE stream as curl would', async () => {
    const fake = await startFakeProvider();
    try {
      fake.reply = 'Plain HTTP works too.';
      const provider = (await (
        await rest('/providers', {
          method: 'POST',
          body: JSON.stringify({ kind: 'openai-compatible', name: 'Fake', baseUrl: fake.baseUrl, defaultModel: 'm' }),
        })
      ).json()) as { id: string };
      const chat = (await (
        await rest('/chats', { method: 'POST', body: JSON.stringify({ providerId: provider.id }) })
      ).json()) as { id: string };
      const sent = await rest(`/chats/${chat.id}/messages`, { method: 'POST', body: JSON.stringify({ text: 'hi' }) });
      expect(sent.status).toBe(200);
      const { assistantMessage } = (await sent.json()) as { assistantMessage: { id: string } };

      // The tRPC SSE endpoint, as `curl -N` reads it: the input is superjson's { json: … } in the query string.
      const input = encodeURIComponent(JSON.stringify({ json: { messageId: assistantMessage.id } }));
      const sse = await fetch(`${server.url}/trpc/chat.stream?input=${input}`, { headers: { 'x-api-key': apiKey } });
      expect(sse.headers.get('content-type')).toContain('text/event-stream');
      let text = '';
      const reader = (sse.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
      while (!text.includes('"finish"')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      await reader.cancel();
      expect(text).toContain('"type":"finish"');

      const page = (await (await rest(`/chats/${chat.id}/messages?limit=1`)).json()) as {
        items: { status: string; text: string }[];
      };
      expect(page.items[0]).toMatchObject({ status: 'complete', text: 'Plain HTTP works too.' });
    } finally {
      await fake.close();
    }
  });
});

describe('what fails, and how', () => {
  it('bad input is a 400 with field details; another id is a 404 with appCode; no key is a 401', async () => {
    const bad = await rest('/chats', { method: 'POST', body: JSON.stringify({ title: '' }) });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as {
      data: { appCode: string; zodError: { fieldErrors: Record<string, string[]> } };
    };
    expect(body.data.appCode).toBe('VALIDATION_FAILED');
    expect(body.data.zodError.fieldErrors.title?.[0]).toMatch(/>=1|at least/);

    const missing = await rest('/chats/no-such-chat');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { data: { appCode: string } }).data.appCode).toBe('CHAT_NOT_FOUND');

    const anonymous = await fetch(`${server.url}/api/v1/chats`);
    expect(anonymous.status).toBe(401);
  });
});

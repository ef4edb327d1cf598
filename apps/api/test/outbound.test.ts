// Outbound URL safety under the production policy: private, loopback, link-local and metadata addresses are refused,
// whether written as an IP, reached through a host name, or through a redirect.

import { createServer, type Server } from 'node:http';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addressProblem,
  createGuardedFetch,
  type OutboundPolicy,
  OutboundUrlError,
  parseAllowlist,
  resolvedHostProblem,
  urlProblem,
} from '../src/shared/lib/outbound.ts';

const PRODUCTION: OutboundPolicy = { allowLoopback: false, allow: [] };
const DEVELOPMENT: OutboundPolicy = { allowLoopback: true, allow: [] };
const SELF_HOSTED: OutboundPolicy = {
  allowLoopback: false,
  allow: parseAllowlist('10.0.0.0/8, 192.168.1.20, 127.0.0.1:11434, ollama.lan:11434, [fd00::5]:8080'),
};

let fake: FakeProvider;
/** Redirects /elsewhere to the fake provider (another origin: another port) and /same-origin to its own /end. */
let redirector: { server: Server; url: string };
beforeAll(async () => {
  fake = await startFakeProvider();
  const server = createServer((request, response) => {
    if (request.url === '/end') return response.end('arrived');
    const location = request.url === '/same-origin' ? '/end' : `${fake.baseUrl}/models`;
    response.writeHead(302, { location }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  redirector = { server, url: `http://127.0.0.1:${address.port}` };
});
afterAll(async () => {
  await fake.close();
  await new Promise((resolve) => redirector.server.close(resolve));
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (e: unknown) => e,
  );
}

function outboundCause(error: unknown): OutboundUrlError | undefined {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) if (e instanceof OutboundUrlError) return e;
  return undefined;
}

describe('what works', () => {
  it.each(['8.8.8.8', '2606:4700:4700::1111', '1.1.1.1'])('allows the public address %s', (address) => {
    expect(addressProblem(address, PRODUCTION)).toBeNull();
  });

  it('allows loopback in development, and non-public addresses only as PROVIDER_URL_ALLOWLIST lists them', () => {
    expect(addressProblem('127.0.0.1', DEVELOPMENT)).toBeNull();
    expect(addressProblem('10.0.0.7', DEVELOPMENT)).toMatch(/private/);
    expect(addressProblem('10.0.0.7', SELF_HOSTED)).toBeNull();
    expect(addressProblem('192.168.1.20', SELF_HOSTED)).toBeNull();
    expect(addressProblem('192.168.1.21', SELF_HOSTED)).toMatch(/private/);
    // A port in the entry opens that port only: a local Ollama, not Parley's own port on the same address.
    expect(urlProblem('http://127.0.0.1:11434/v1', SELF_HOSTED)).toBeNull();
    expect(urlProblem('http://127.0.0.1:3000/api', SELF_HOSTED)).toMatch(/loopback/);
    expect(urlProblem('http://[fd00::5]:8080/v1', SELF_HOSTED)).toBeNull();
    expect(addressProblem('192.168.7.7', SELF_HOSTED, { host: 'ollama.lan', port: 11434 })).toBeNull();
    expect(addressProblem('192.168.7.7', SELF_HOSTED, { host: 'ollama.lan', port: 22 })).toMatch(/private/);
  });

  it('reads the allowlist and names a bad entry', () => {
    expect(parseAllowlist('').length).toBe(0);
    expect(parseAllowlist('127.0.0.1:11434').map((e) => e.port)).toEqual([11434]);
    expect(() => parseAllowlist('10.0.0.0/99')).toThrow(/10\.0\.0\.0\/99/);
    expect(() => parseAllowlist('bad host!')).toThrow(/not an address/);
    expect(() => parseAllowlist('host:99999')).toThrow(/port/);
  });

  it('follows a redirect within the same origin', async () => {
    const response = await createGuardedFetch(DEVELOPMENT)(`${redirector.url}/same-origin`);
    expect(await response.text()).toBe('arrived');
  });

  it('the guarded fetch reaches a loopback provider in development', async () => {
    const response = await createGuardedFetch(DEVELOPMENT)(`${fake.baseUrl}/models`);
    expect(response.status).toBe(200);
  });
});

describe('what fails, and how', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['::1', /loopback/],
    ['::ffff:127.0.0.1', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['192.168.0.1', /private/],
    ['fd12:3456::1', /private/],
    ['169.254.10.10', /link-local/],
    ['fe80::1', /link-local/],
    ['169.254.169.254', /metadata/],
    ['0.0.0.0', /unspecified/],
    // IPv6 forms that embed an IPv4 address: compatible, mapped, translated, NAT64, 6to4; and Teredo.
    ['::a9fe:a9fe', /169\.254\.169\.254 is a cloud metadata/],
    ['::127.0.0.1', /127\.0\.0\.1 is a loopback/],
    ['::ffff:a9fe:a9fe', /metadata/],
    ['::ffff:0:7f00:1', /loopback/],
    ['64:ff9b::a9fe:a9fe', /metadata/],
    ['2002:a9fe:a9fe::1', /metadata/],
    ['2002:0a00:0001::1', /10\.0\.0\.1 is a private/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
    ['100.64.0.1', /carrier-grade NAT/],
  ])('refuses %s in production', (address, reason) => {
    expect(addressProblem(address, PRODUCTION)).toMatch(reason);
  });

  it.each([
    'http://[::a9fe:a9fe]/',
    'http://[::127.0.0.1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://017700000001/',
    'http://0251.0376.0251.0376/',
  ])('refuses the URL %s in production', (url) => {
    expect(urlProblem(url, PRODUCTION)).toMatch(/points at .*(loopback|metadata)/);
  });

  it('never allows a metadata address, even when it is inside an allowed range', () => {
    const everything: OutboundPolicy = { allowLoopback: true, allow: parseAllowlist('0.0.0.0/0,::/0') };
    expect(addressProblem('169.254.169.254', everything)).toMatch(/metadata/);
    expect(addressProblem('::a9fe:a9fe', everything)).toMatch(/metadata/);
    expect(addressProblem('fd00:ec2::254', everything)).toMatch(/metadata/);
  });

  it('follows no redirect to another origin: the key in Authorization never reaches it', async () => {
    fake.seen.length = 0;
    const error = await failure(
      createGuardedFetch(DEVELOPMENT)(`${redirector.url}/elsewhere`, {
        headers: { authorization: 'Bearer sk-must-not-travel' },
      }),
    );
    expect(outboundCause(error)?.message).toMatch(/redirected to another origin/);
    expect(fake.seen).toHaveLength(0);
  });

  it('refuses non-http schemes and credentials in the URL', () => {
    expect(urlProblem('file:///etc/passwd', DEVELOPMENT)).toMatch(/http or https/);
    expect(urlProblem('gopher://example.com', DEVELOPMENT)).toMatch(/http or https/);
    expect(urlProblem('http://user:pw@example.com', DEVELOPMENT)).toMatch(/user name or password/);
  });

  it('refuses a host name that resolves to loopback', async () => {
    expect(await resolvedHostProblem('http://localhost:11434/v1', PRODUCTION)).toMatch(
      /localhost resolves to .*loopback/,
    );
  });

  it('the guarded fetch refuses, at connect time, a host name that resolves to loopback', async () => {
    fake.seen.length = 0;
    const url = `${fake.baseUrl.replace('127.0.0.1', 'localhost')}/models`;
    const error = await failure(createGuardedFetch(PRODUCTION)(url));
    expect(outboundCause(error)?.message).toMatch(/localhost resolves to .*loopback/);
    expect(fake.seen).toHaveLength(0);
  });

  it('the guarded fetch refuses a redirect to a metadata address without following it', async () => {
    fake.mode = 'redirect-to-metadata';
    const error = await failure(createGuardedFetch(DEVELOPMENT)(`${fake.baseUrl}/models`));
    expect(outboundCause(error)?.message).toMatch(/redirected to another origin \(http:\/\/169\.254\.169\.254\)/);
    fake.mode = 'ok';
  });
});

// Outbound URL safety under the production policy: private, loopback, link-local and metadata addresses are refused,
// whether written as an IP, reached through a host name, or through a redirect.

import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addressProblem,
  createGuardedFetch,
  OutboundUrlError,
  resolvedHostProblem,
  urlProblem,
} from '../src/shared/lib/outbound.ts';

const PRODUCTION = { allowLoopback: false, allowPrivate: false };
const DEVELOPMENT = { allowLoopback: true, allowPrivate: false };
const SELF_HOSTED = { allowLoopback: false, allowPrivate: true };

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(async () => {
  await fake.close();
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

  it('allows loopback in development, and private ranges only when self-hosting is allowed', () => {
    expect(addressProblem('127.0.0.1', DEVELOPMENT)).toBeNull();
    expect(addressProblem('10.0.0.7', DEVELOPMENT)).toMatch(/private/);
    expect(addressProblem('10.0.0.7', SELF_HOSTED)).toBeNull();
    expect(addressProblem('192.168.1.20', SELF_HOSTED)).toBeNull();
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
  ])('refuses %s in production', (address, reason) => {
    expect(addressProblem(address, PRODUCTION)).toMatch(reason);
  });

  it('never allows a metadata address, even when private addresses are', () => {
    expect(addressProblem('169.254.169.254', SELF_HOSTED)).toMatch(/metadata/);
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
    expect(outboundCause(error)?.message).toMatch(/169\.254\.169\.254 is a cloud metadata address/);
    fake.mode = 'ok';
  });
});

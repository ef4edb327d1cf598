// Outbound calls to user-given URLs (provider base URLs): http(s) only, and no private, loopback, link-local or
// metadata address unless allowed. Checked when a URL is saved, and again at connect time for every hop, so a host
// name that resolves (or later re-resolves) to such an address, or a redirect to one, is refused too.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch } from 'undici';

export interface OutboundPolicy {
  /** 127.0.0.0/8 and ::1 (development and tests reach local fake or self-hosted servers). */
  allowLoopback: boolean;
  /** Every private range (ALLOW_PRIVATE_PROVIDER_URLS, for a self-hosted Ollama on the LAN). Never metadata. */
  allowPrivate: boolean;
}

export class OutboundUrlError extends Error {
  override name = 'OutboundUrlError';
}

const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);
const MAX_REDIRECTS = 3;

/** Why this address may not be called, or null when it may. */
export function addressProblem(address: string, policy: OutboundPolicy): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const normalized = parsed.toString();
  if (METADATA.has(normalized)) return `${normalized} is a cloud metadata address`;
  const range = parsed.range();
  if (range === 'unicast') return null;
  if (range === 'loopback')
    return policy.allowLoopback || policy.allowPrivate ? null : `${normalized} is a loopback address`;
  if (range === 'linkLocal') return `${normalized} is a link-local address`;
  if (policy.allowPrivate && ['private', 'uniqueLocal', 'carrierGradeNat'].includes(range)) return null;
  return `${normalized} is a ${range === 'uniqueLocal' ? 'private' : range} address`;
}

/** Checks the form of a URL and, for a literal IP, its address. Host names are checked when they resolve. */
export function urlProblem(raw: string, policy: OutboundPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username || url.password) return 'must not carry a user name or password';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const problem = addressProblem(host, policy);
    return problem ? `points at ${problem}` : null;
  }
  return null;
}

/** Resolves a host name and refuses it when any of its addresses may not be called. */
export async function resolvedHostProblem(raw: string, policy: OutboundPolicy): Promise<string | null> {
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return null;
  const addresses = await new Promise<LookupAddress[]>((resolve) =>
    dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found)),
  );
  if (addresses.length === 0) return `${host} does not resolve`;
  for (const { address } of addresses) {
    const problem = addressProblem(address, policy);
    if (problem) return `${host} resolves to ${problem}`;
  }
  return null;
}

export type FetchFunction = typeof globalThis.fetch;

function requestParts(input: string | URL | Request, init: RequestInit | undefined) {
  if (!(input instanceof Request)) return { url: String(input), requestInit: { ...init } };
  return {
    url: input.url,
    requestInit: {
      method: input.method,
      headers: input.headers,
      body: input.body,
      duplex: 'half',
      ...init,
    } as RequestInit,
  };
}

/** A fetch that enforces the policy on every hop and every connection (pinning the checked address). */
export function createGuardedFetch(policy: OutboundPolicy): FetchFunction {
  const dispatcher = new Agent({
    connect: {
      lookup(hostname, options, callback) {
        dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
          if (error) return callback(error, '', 0);
          const list = addresses as LookupAddress[];
          for (const { address } of list) {
            const problem = addressProblem(address, policy);
            if (problem) return callback(new OutboundUrlError(`${hostname} resolves to ${problem}`), '', 0);
          }
          const first = list[0] as LookupAddress;
          return options.all ? callback(null, list as never, 0) : callback(null, first.address, first.family);
        });
      },
    },
  });

  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let { url, requestInit } = requestParts(input, init);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const problem = urlProblem(url, policy);
      if (problem) throw new OutboundUrlError(`the URL ${problem}`);
      const response = (await undiciFetch(url, {
        ...(requestInit as object),
        redirect: 'manual',
        dispatcher,
      } as never)) as unknown as Response;
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return response;
      await response.body?.cancel();
      url = new URL(location, url).toString();
      if (response.status === 303) requestInit = { ...requestInit, method: 'GET', body: null };
    }
    throw new OutboundUrlError(`more than ${MAX_REDIRECTS} redirects`);
  };
  return guarded as FetchFunction;
}

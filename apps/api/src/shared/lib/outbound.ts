// Outbound calls to user-given URLs (provider base URLs): http(s) only, and no private, loopback, link-local or
// metadata address unless allowed. Checked when a URL is saved, and again at connect time for every hop, so a host
// name that resolves (or later re-resolves) to such an address is refused too. Redirects are followed only within
// the same origin (a provider key in Authorization must never reach another origin), each hop checked again.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One PROVIDER_URL_ALLOWLIST entry: an address or CIDR range, or a host name; with a port, only that port. */
export type AllowEntry =
  | { kind: 'range'; range: [Address, number]; port: number | null; text: string }
  | { kind: 'host'; host: string; port: number | null; text: string };

export interface OutboundPolicy {
  /** 127.0.0.0/8 and ::1 on any port (development and tests reach local fake or self-hosted servers). */
  allowLoopback: boolean;
  /** Non-public addresses opened explicitly (PROVIDER_URL_ALLOWLIST). Never a metadata address. */
  allow: AllowEntry[];
}

/** Where a call goes, as far as known: the URL's host name and port. */
export interface Target {
  host?: string;
  port?: number;
}

export class OutboundUrlError extends Error {
  override name = 'OutboundUrlError';
}

// Cloud metadata services (AWS, GCP and Azure share 169.254.169.254; AWS IPv6, Alibaba, Azure's wire server,
// Oracle): refused whatever the policy says.
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '168.63.129.16', '192.0.0.192']);
const MAX_REDIRECTS = 3;

/**
 * Parses PROVIDER_URL_ALLOWLIST: comma-separated `10.0.0.0/8`, `192.168.1.20`, `127.0.0.1:11434`, `[fd00::1]:8080`,
 * `ollama.lan`, `ollama.lan:11434`. Throws an Error naming the first bad entry.
 */
export function parseAllowlist(text: string): AllowEntry[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map(parseEntry);
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

function parseEntry(text: string): AllowEntry {
  const invalid = () => new Error(`"${text}" is not an address, CIDR range or host name with an optional :port`);
  // [v6]:port, a bare IPv6 address or any CIDR (no port), or host:port.
  const match =
    /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ??
    (text.includes('/') || ipaddr.IPv6.isValid(text) ? [text, text] : /^([^:/]+)(?::(\d+))?$/.exec(text));
  if (!match) throw invalid();
  const body = match[1] as string;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) throw new Error(`"${text}" has a port outside 1-65535`);
  if (body.includes('/')) {
    if (!ipaddr.isValidCIDR(body)) throw new Error(`"${text}" is not a valid CIDR range`);
    return { kind: 'range', range: ipaddr.parseCIDR(body), port, text };
  }
  if (ipaddr.isValid(body)) {
    const address = normalize(ipaddr.parse(body));
    return { kind: 'range', range: [address, address.kind() === 'ipv4' ? 32 : 128], port, text };
  }
  if (HOST_NAME.test(body)) return { kind: 'host', host: body.toLowerCase(), port, text };
  throw invalid();
}

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one: mapped (::ffff:a.b.c.d), translated
 * (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks), NAT64
 * (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::). Otherwise the address itself.
 */
function normalize(address: Address): Address {
  if (address.kind() === 'ipv4') return address;
  const v6 = address as ipaddr.IPv6;
  const words = v6.parts;
  const range = v6.range();
  const fromWords = (high: number, low: number) =>
    new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]) as Address;
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') {
    return fromWords(words[6] as number, words[7] as number);
  }
  if (range === '6to4') return fromWords(words[1] as number, words[2] as number);
  const compatible =
    words.slice(0, 6).every((w) => w === 0) && ((words[6] as number) !== 0 || (words[7] as number) > 1);
  return compatible ? fromWords(words[6] as number, words[7] as number) : address;
}

function allowedBy(entry: AllowEntry, address: Address, target: Target): boolean {
  if (entry.port !== null && entry.port !== target.port) return false;
  if (entry.kind === 'host') return target.host?.toLowerCase() === entry.host;
  const [network] = entry.range;
  return network.kind() === address.kind() && address.match(entry.range as never);
}

/** Why this address may not be called, or null when it may. */
export function addressProblem(raw: string, policy: OutboundPolicy, target: Target = {}): string | null {
  if (!ipaddr.isValid(raw)) return `${raw} is not an IP address`;
  const address = normalize(ipaddr.parse(raw));
  const normalized = address.toString();
  if (METADATA.has(normalized)) return `${normalized} is a cloud metadata address`;
  const range = address.range();
  if (range === 'unicast') return null;
  // Teredo hides its IPv4 address (obfuscated); nothing legitimate serves a provider there.
  if (range === 'teredo') return `${normalized} is a Teredo tunnel address`;
  if (range === 'loopback' && policy.allowLoopback) return null;
  if (policy.allow.some((entry) => allowedBy(entry, address, target))) return null;
  const name =
    range === 'uniqueLocal'
      ? 'private'
      : range === 'linkLocal'
        ? 'link-local'
        : range === 'carrierGradeNat'
          ? 'shared (carrier-grade NAT)'
          : range;
  return `${normalized} is a ${name} address (PROVIDER_URL_ALLOWLIST can open it)`;
}

function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
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
  // The URL parser has already turned decimal, octal and hex IPv4 forms (http://2130706433/) into dotted ones.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const problem = addressProblem(host, policy, { port: defaultPort(url) });
    return problem ? `points at ${problem}` : null;
  }
  return null;
}

/** Resolves a host name and refuses it when any of its addresses may not be called. */
export async function resolvedHostProblem(raw: string, policy: OutboundPolicy): Promise<string | null> {
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return null;
  const addresses = await new Promise<LookupAddress[]>((resolve) =>
    dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found)),
  );
  if (addresses.length === 0) return `${host} does not resolve`;
  for (const { address } of addresses) {
    const problem = addressProblem(address, policy, { host, port: defaultPort(url) });
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

/** A DNS lookup for connections to `port` that refuses a host name when any of its addresses may not be called. */
function guardedLookup(policy: OutboundPolicy, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      const problems = list.map(({ address }) => addressProblem(address, policy, { host: hostname, port }));
      const problem = problems.find((p) => p !== null);
      if (problem) return callback(new OutboundUrlError(`${hostname} resolves to ${problem}`), '', 0);
      const first = list[0] as LookupAddress;
      return options.all ? callback(null, list as never, 0) : callback(null, first.address, first.family);
    });
  };
}

/** A fetch that enforces the policy on every hop and every connection (pinning the checked address). */
export function createGuardedFetch(policy: OutboundPolicy): FetchFunction {
  // The connection's port matters to the allowlist (127.0.0.1:11434 is not 127.0.0.1:3000), and only the connector
  // knows it: one connector per port, each checking every address its host name resolves to.
  const connectors = new Map<number, buildConnector.connector>();
  const connectorFor = (port: number) => {
    let connector = connectors.get(port);
    if (!connector) {
      connector = buildConnector({ lookup: guardedLookup(policy, port) });
      connectors.set(port, connector);
    }
    return connector;
  };
  const dispatcher = new Agent({
    connect(options, callback) {
      const port = options.port ? Number(options.port) : options.protocol === 'https:' ? 443 : 80;
      connectorFor(port)(options, callback);
    },
  });

  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let { url, requestInit } = requestParts(input, init);
    const origin = new URL(url).origin;
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
      const next = new URL(location, url);
      // The request carries the provider's key: it goes to no other origin (not even http to https).
      if (next.origin !== origin) {
        throw new OutboundUrlError(`the provider redirected to another origin (${next.origin}); not followed`);
      }
      url = next.toString();
      if (response.status === 303) requestInit = { ...requestInit, method: 'GET', body: null };
    }
    throw new OutboundUrlError(`more than ${MAX_REDIRECTS} redirects`);
  };
  return guarded as FetchFunction;
}

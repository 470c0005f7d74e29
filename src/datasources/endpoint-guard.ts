import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { AppError, quoteInput } from '../errors.js';

/** Which address classes a process may connect to on a dataset's behalf. */
export interface EndpointRules {
  /** Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10) and loopback. */
  privateAddresses: boolean;
  /** Link-local ranges, where cloud metadata services answer. */
  linkLocalAddresses: boolean;
}

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unroutable';

/** Instance-metadata, task-metadata and cloud DNS addresses, some of which lie outside link-local ranges. */
const METADATA_ADDRESSES = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '169.254.169.253',
  '169.254.169.123',
  'fd00:ec2::254',
  'fd00:ec2::23',
  '100.100.100.200',
  '192.0.0.192',
]);
const PRIVATE_RANGES = new Set(['private', 'uniqueLocal', 'carrierGradeNat']);
const LINK_LOCAL_RANGES = new Set(['linkLocal', 'deprecatedSiteLocal']);

/** The class of an IP address; IPv4 written as IPv6 (::ffff:a.b.c.d) counts as the IPv4 address. */
export function classifyAddress(address: string): AddressClass {
  if (!ipaddr.isValid(address)) return 'unroutable';
  const parsed = ipaddr.process(address);
  if (METADATA_ADDRESSES.has(parsed.toNormalizedString()) || METADATA_ADDRESSES.has(parsed.toString())) return 'metadata';
  const range = parsed.range();
  if (range === 'unicast') return 'public';
  if (range === 'loopback') return 'loopback';
  if (PRIVATE_RANGES.has(range)) return 'private';
  if (LINK_LOCAL_RANGES.has(range)) return 'link-local';
  // Unspecified (0.0.0.0 reaches this host), multicast, broadcast, reserved, and IPv6 ranges that embed IPv4 ones.
  return 'unroutable';
}

const REASONS: Record<Exclude<AddressClass, 'public'>, string> = {
  private: 'a private network address',
  loopback: 'this machine (loopback)',
  'link-local': 'a link-local address',
  metadata: "a cloud metadata service's address",
  unroutable: 'not a routable unicast address',
};

/** Why `address` may not be reached under `rules`, or undefined when it may. */
export function addressRefusal(address: string, rules: EndpointRules): string | undefined {
  const kind = classifyAddress(address);
  if (kind === 'public') return undefined;
  if ((kind === 'private' || kind === 'loopback') && rules.privateAddresses) return undefined;
  if (kind === 'link-local' && rules.linkLocalAddresses) return undefined;
  if (kind === 'metadata' && rules.linkLocalAddresses) return undefined;
  return `${address} is ${REASONS[kind]}`;
}

function hintFor(rules: EndpointRules): string {
  return rules.privateAddresses
    ? 'Use the address of your S3-compatible store. Link-local and metadata addresses are refused unless the operator sets WINNOW_ALLOW_LINK_LOCAL_ENDPOINTS=true.'
    : 'Use a public endpoint. The operator of this Winnow server can allow private and loopback endpoints (on-premises MinIO, Ceph) with WINNOW_API_ALLOW_PRIVATE_ENDPOINTS=true.';
}

function refused(endpoint: string, reason: string, rules: EndpointRules): AppError {
  const shown = quoteInput(withoutUserInfo(endpoint));
  return new AppError('EndpointRefused', `The endpoint ${shown} is refused: ${reason}.`, { hint: hintFor(rules), details: { endpoint: shown } });
}

/** The URL without `user:password@`, which may be a secret. */
export function withoutUserInfo(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return endpoint.replace(/\/\/[^/@]*@/, '//');
  }
}

/**
 * Checks an endpoint URL before anything is sent to it: http(s) only, no user:password, and an
 * IP-literal or localhost host must be an address the rules allow. Names are checked again after
 * every DNS resolution, by `guardedLookup`.
 */
export function checkEndpointUrl(endpoint: string, rules: EndpointRules): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw refused(endpoint, 'it is not a URL (e.g. https://minio.example.com:9000)', rules);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(endpoint, 'only http:// and https:// endpoints are supported', rules);
  if (url.username !== '' || url.password !== '') throw refused(endpoint, 'it carries a user name or password; give keys with --access-key-id instead', rules);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(host)) return;
  const reason = addressRefusal(host, rules);
  if (reason !== undefined) throw refused(endpoint, reason, rules);
}

/**
 * checkEndpointUrl, then the addresses the endpoint's name resolves to now, so a user learns at once
 * that `http://localhost:9000` is refused. A name that does not resolve yet passes: every connection
 * is checked again when it resolves.
 */
export async function checkEndpoint(endpoint: string, rules: EndpointRules, resolve: Resolver = dnsLookup as unknown as Resolver): Promise<void> {
  checkEndpointUrl(endpoint, rules);
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) return;
  const addresses = await new Promise<LookupAddress[]>((done) => resolve(host, { all: true, family: 0 }, (error, found) => done(error ? [] : found)));
  const reason = addresses.map((entry) => addressRefusal(entry.address, rules)).find((found) => found !== undefined);
  if (reason !== undefined) throw refused(endpoint, `${host} resolves to ${reason.replace(' is ', ', which is ')}`, rules);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for sockets (http.Agent, net.connect) that resolves a name and refuses the connection
 * when any address it resolves to is refused, so a name cannot point at a metadata service, even
 * when it changes its answer between checks (DNS rebinding): every connection resolves anew.
 */
export function guardedLookup(rules: EndpointRules, resolve: Resolver = dnsLookup as unknown as Resolver) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions | number, callback: LookupCallback): void => {
    const family = typeof options === 'number' ? options : (options.family ?? 0);
    const wantsAll = typeof options === 'object' && options.all === true;
    resolve(hostname, { all: true, family: family as 0 | 4 | 6 }, (error, addresses) => {
      if (error) return callback(error, '');
      const refusal = addresses.map((entry) => addressRefusal(entry.address, rules)).find((reason) => reason !== undefined);
      if (refusal !== undefined) {
        const blocked = Object.assign(new Error(`${hostname} resolves to ${refusal.replace(' is ', ', which is ')}`), { code: 'EWINNOWREFUSED', hostname });
        return callback(blocked, '');
      }
      if (wantsAll) return callback(null, addresses);
      const first = addresses[0];
      if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}

/** Whether an error is a connection the guard refused. */
export function isGuardRefusal(error: unknown): error is Error & { hostname: string } {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ((current as NodeJS.ErrnoException).code === 'EWINNOWREFUSED') return true;
  }
  return false;
}

export function endpointRefusedByGuard(endpoint: string, error: Error, rules: EndpointRules): AppError {
  let reason = error.message;
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if ((current as NodeJS.ErrnoException).code === 'EWINNOWREFUSED') reason = current.message.replace(/\.$/, '');
  }
  return new AppError('EndpointRefused', `Winnow did not connect to ${endpoint}: ${reason}.`, { cause: error, hint: hintFor(rules) });
}

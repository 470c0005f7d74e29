import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { escapeUri, extendedEncodeURIComponent } from '@smithy/core/protocols';
import { createScope, getSigningKey } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { SignGet } from './presigned-url-cache.js';

const PROBE_KEY = 'winnow-presign-probe';
const PROBE_DATE = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const PROBE_EXPIRES_IN = 60;

/** The parameters that differ between two GETs of one bucket; the others are copied from the probe as they are. */
const PER_URL_PARAMS = ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Security-Token', 'X-Amz-Signature'];

/** What the probe must say for the template to hold: a plain SigV4 query signature over the host header alone. */
const EXPECTED_CONSTANTS: Record<string, string> = {
  'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
  'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
  'X-Amz-SignedHeaders': 'host',
};

// Stand-ins for the two values only known per URL, filled in by one replace each.
const EXPIRES_SLOT = '\u0001';
const SIGNATURE_SLOT = '\u0002';

/** A bucket's presigned GET as `getSignedUrl` lays it out, read off the probe's raw text. */
interface UrlTemplate {
  /** `https://host[:port]` */
  origin: string;
  host: string;
  pathBeforeKey: string;
  signingRegion: string;
  signingService: string;
  /** Parameter names sorted, as the SDK writes them (the signature's place included). */
  urlOrder: string[];
  /** Percent-encoded values of the parameters that are the same for every URL (x-id, the algorithm...). */
  constants: Map<string, string>;
}

/** What every URL signed with one set of credentials as of one date shares. */
interface DatedSigning {
  /** SigV4 dates have whole seconds. */
  signingSecond: number;
  credentials: AwsCredentialIdentity;
  longDate: string;
  scope: string;
  signingKey: KeyObject;
  /** The canonical query, with EXPIRES_SLOT for X-Amz-Expires. */
  canonicalQuery: string;
  /** The URL's query, with EXPIRES_SLOT and SIGNATURE_SLOT. */
  urlQuery: string;
}

/**
 * Presigned GETs for one bucket, byte-for-byte what `getSignedUrl` produces, at a small part of
 * its cost. Why: a grid page signs up to 400 URLs, and the SDK's per-call path (a new presigner,
 * the middleware stack, the endpoint rules, a request clone and several promise hops per key)
 * costs 30-45 us a URL, most of a page's CPU. One real `getSignedUrl` of a probe key gives the
 * template (endpoint, the path before the key, every query parameter and its order, the signing
 * scope); the SDK still derives the signing key (`getSigningKey`) and encodes keys and values
 * (`extendedEncodeURIComponent`, `escapeUri`), so each URL costs the two SigV4 hashes. The
 * template must re-create the probe URL exactly before it is used; otherwise (other signed
 * headers, SigV4a, a parameter it does not know) the SDK signs every URL, as it did before.
 */
export async function createPresigner(client: S3Client, bucket: string): Promise<SignGet> {
  const sdkSigned: SignGet = (key, expiresIn, signingDate) =>
    getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn, signingDate });
  const credentials = await client.config.credentials();
  const probeUrl = await sdkSigned(PROBE_KEY, PROBE_EXPIRES_IN, PROBE_DATE, credentials);
  const template = urlTemplate(probeUrl);
  if (template === undefined) return sdkSigned;

  const sha256 = client.config.sha256;
  let dated: DatedSigning | undefined;
  const sign: SignGet = async (key, expiresIn, signingDate, urlCredentials) => {
    if (dated === undefined || dated.signingSecond !== Math.floor(signingDate.getTime() / 1000) || !sameCredentials(dated.credentials, urlCredentials)) {
      dated = await datedSigning(template, signingDate, urlCredentials, sha256);
    }
    const path = `${template.pathBeforeKey}${encodeKey(key)}`;
    const expires = String(expiresIn);
    const canonicalRequest = `GET\n${path}\n${dated.canonicalQuery.replace(EXPIRES_SLOT, expires)}\nhost:${template.host}\n\nhost\nUNSIGNED-PAYLOAD`;
    const stringToSign = `AWS4-HMAC-SHA256\n${dated.longDate}\n${dated.scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', dated.signingKey).update(stringToSign).digest('hex');
    return `${template.origin}${path}?${dated.urlQuery.replace(EXPIRES_SLOT, expires).replace(SIGNATURE_SLOT, signature)}`;
  };
  return (await sign(PROBE_KEY, PROBE_EXPIRES_IN, PROBE_DATE, credentials)) === probeUrl ? sign : sdkSigned;
}

async function datedSigning(
  template: UrlTemplate,
  signingDate: Date,
  credentials: AwsCredentialIdentity,
  sha256: Parameters<typeof getSigningKey>[0],
): Promise<DatedSigning> {
  const longDate = signingDate.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const scope = createScope(longDate.slice(0, 8), template.signingRegion, template.signingService);
  const signingKey = createSecretKey(await getSigningKey(sha256, credentials, longDate.slice(0, 8), template.signingRegion, template.signingService));
  const values = new Map(template.constants)
    .set('X-Amz-Credential', escapeUri(`${credentials.accessKeyId}/${scope}`))
    .set('X-Amz-Date', longDate)
    .set('X-Amz-Expires', EXPIRES_SLOT)
    .set('X-Amz-Signature', SIGNATURE_SLOT);
  if (credentials.sessionToken) values.set('X-Amz-Security-Token', escapeUri(credentials.sessionToken));
  const query = (names: readonly string[]) => names.flatMap((name) => (values.has(name) ? [`${name}=${values.get(name)}`] : [])).join('&');
  return {
    signingSecond: Math.floor(signingDate.getTime() / 1000),
    credentials,
    longDate,
    scope,
    signingKey,
    // SigV4's canonical query is sorted by encoded name (these names need no encoding) and leaves the signature out.
    canonicalQuery: query(template.urlOrder.filter((name) => name !== 'X-Amz-Signature')),
    urlQuery: query(template.urlOrder),
  };
}

function sameCredentials(a: AwsCredentialIdentity, b: AwsCredentialIdentity): boolean {
  return a === b || (a.accessKeyId === b.accessKeyId && a.secretAccessKey === b.secretAccessKey && a.sessionToken === b.sessionToken);
}

/** The template of a probe URL, or undefined when it is not laid out as the fast path expects. */
function urlTemplate(probeUrl: string): UrlTemplate | undefined {
  const afterScheme = probeUrl.indexOf('//') + 2;
  const pathStart = probeUrl.indexOf('/', afterScheme);
  const queryStart = probeUrl.indexOf('?');
  const encodedProbe = encodeKey(PROBE_KEY);
  const path = probeUrl.slice(pathStart, queryStart);
  if (afterScheme < 2 || pathStart < 0 || queryStart < pathStart || !path.endsWith(encodedProbe)) return undefined;
  const params = probeUrl
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => ({ name: pair.slice(0, pair.indexOf('=')), encodedValue: pair.slice(pair.indexOf('=') + 1) }));
  const constants = new Map<string, string>();
  for (const { name, encodedValue } of params) {
    if (PER_URL_PARAMS.includes(name)) continue;
    // An X-Amz-* parameter the template does not know means another signing scheme; x-id and the like are copied.
    if (name.startsWith('X-Amz-') && EXPECTED_CONSTANTS[name] !== encodedValue) return undefined;
    constants.set(name, encodedValue);
  }
  if (Object.keys(EXPECTED_CONSTANTS).some((name) => !constants.has(name))) return undefined;
  // X-Amz-Credential is `<key id>/<date>/<region>/<service>/aws4_request`.
  const scope = decodeURIComponent(params.find((param) => param.name === 'X-Amz-Credential')?.encodedValue ?? '').split('/');
  if (scope.length < 5) return undefined;
  // The SDK writes the query sorted by name, so a session token the probe's credentials did not carry has a known place too.
  const urlOrder = params.map((param) => param.name);
  if (urlOrder.join('&') !== [...urlOrder].sort().join('&')) return undefined;
  if (!urlOrder.includes('X-Amz-Security-Token')) urlOrder.push('X-Amz-Security-Token');
  urlOrder.sort();
  return {
    origin: probeUrl.slice(0, pathStart),
    host: probeUrl.slice(afterScheme, pathStart),
    pathBeforeKey: path.slice(0, -encodedProbe.length),
    signingRegion: scope.at(-3)!,
    signingService: scope.at(-2)!,
    urlOrder,
    constants,
  };
}

/** How the SDK serialises a greedy `{Key+}` label: each segment encoded, slashes kept. */
function encodeKey(key: string): string {
  return key.split('/').map(extendedEncodeURIComponent).join('/');
}

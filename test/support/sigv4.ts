/**
 * AWS Signature Version 4 verification for S3 requests, as S3 itself does it.
 * Test-only: the proxy in s3-policy-proxy.ts uses it because s3rver checks
 * nothing but the access key id.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_PRESIGNED_EXPIRY_SECONDS = 604_800;
const MAX_CLOCK_SKEW_MS = 15 * 60_000;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The parts of an HTTP request that SigV4 covers, exactly as received. */
export interface RawRequest {
  method: string;
  /** Path as sent on the request line, still percent-encoded. */
  rawPath: string;
  /** Query string as sent, without the leading `?`. */
  rawQuery: string;
  /** Node's `IncomingMessage.rawHeaders`: names and values alternating. */
  rawHeaders: string[];
}

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

export interface SigV4Authorization {
  form: 'header' | 'query';
  scope: CredentialScope;
  /** `yyyyMMddTHHmmssZ` */
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  payloadHash: string;
  expiresInSeconds?: number;
  securityToken?: string;
}

export interface SignatureCheck {
  matches: boolean;
  canonicalRequest: string;
  stringToSign: string;
}

/** An S3 error code (e.g. `AuthorizationHeaderMalformed`) raised while authenticating. */
export class S3AuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'S3AuthError';
  }
}

/** Returns undefined for an anonymous request; throws S3AuthError when malformed. */
export function parseSigV4(request: RawRequest): SigV4Authorization | undefined {
  const headers = headerValues(request.rawHeaders);
  const authorization = headers.get('authorization')?.[0];
  if (authorization !== undefined) {
    return parseAuthorizationHeader(authorization, headers);
  }
  const query = new Map(parseQueryPairs(request.rawQuery));
  if (query.has('X-Amz-Algorithm')) {
    return parsePresignedQuery(query);
  }
  return undefined;
}

export function checkSignature(request: RawRequest, auth: SigV4Authorization, secretAccessKey: string): SignatureCheck {
  const canonicalRequest = buildCanonicalRequest(request, auth);
  const stringToSign = buildStringToSign(auth, canonicalRequest);
  const expected = hmac(signingKey(secretAccessKey, auth.scope), stringToSign).toString('hex');
  return { matches: sameHex(expected, auth.signature), canonicalRequest, stringToSign };
}

/** Presigned URLs expire; header-signed requests must be close to the server clock. */
export function checkRequestTime(auth: SigV4Authorization, now: Date): void {
  const signedAt = parseAmzDate(auth.amzDate).getTime();
  if (auth.form === 'query') {
    const expiresAt = signedAt + (auth.expiresInSeconds ?? 0) * 1000;
    if (now.getTime() > expiresAt) {
      throw new S3AuthError('AccessDenied', 'Request has expired', 403);
    }
    return;
  }
  if (Math.abs(now.getTime() - signedAt) > MAX_CLOCK_SKEW_MS) {
    throw new S3AuthError('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 403);
  }
}

export function buildCanonicalRequest(request: RawRequest, auth: SigV4Authorization): string {
  const headers = headerValues(request.rawHeaders);
  const canonicalHeaders = auth.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(headers.get(name) ?? [])}\n`).join('');
  return [
    request.method.toUpperCase(),
    // S3 signs the path exactly as sent: every segment encoded once, no normalisation.
    request.rawPath,
    canonicalQueryString(request.rawQuery, auth.form),
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    auth.payloadHash,
  ].join('\n');
}

export function buildStringToSign(auth: SigV4Authorization, canonicalRequest: string): string {
  return [SIGV4_ALGORITHM, auth.amzDate, scopeString(auth.scope), sha256Hex(canonicalRequest)].join('\n');
}

export function signingKey(secretAccessKey: string, scope: CredentialScope): Buffer {
  const dateKey = hmac(`AWS4${secretAccessKey}`, scope.date);
  const regionKey = hmac(dateKey, scope.region);
  const serviceKey = hmac(regionKey, scope.service);
  return hmac(serviceKey, 'aws4_request');
}

/** Decoded `[name, value]` pairs in request order; `?delete` yields `['delete', '']`. */
export function parseQueryPairs(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery.split('&').map((part) => {
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? '' : part.slice(equals + 1);
    return [decodeOrKeep(name), decodeOrKeep(value)];
  });
}

/** RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~`. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Lower-cased header name → values in arrival order (duplicates kept apart). */
export function headerValues(rawHeaders: string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const values = headers.get(name) ?? [];
    values.push(rawHeaders[i + 1] as string);
    headers.set(name, values);
  }
  return headers;
}

function parseAuthorizationHeader(authorization: string, headers: Map<string, string[]>): SigV4Authorization {
  const [algorithm, ...rest] = authorization.trim().split(' ');
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new S3AuthError('InvalidRequest', `The authorization mechanism you have provided is not supported. Please use ${SIGV4_ALGORITHM}.`, 400);
  }
  const fields = new Map(
    rest
      .join(' ')
      .split(',')
      .map((field) => splitOnce(field.trim(), '=')),
  );
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const amzDate = headers.get('x-amz-date')?.[0];
  const payloadHash = headers.get('x-amz-content-sha256')?.[0];
  if (!credential || !signedHeaders || !signature || !amzDate) {
    throw malformedHeader('The authorization header is malformed; it needs Credential, SignedHeaders, Signature and an x-amz-date header.');
  }
  if (!payloadHash) {
    throw new S3AuthError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', 400);
  }
  return validated(
    {
      form: 'header',
      scope: parseCredentialScope(credential, malformedHeader),
      amzDate,
      signedHeaders: signedHeaders.split(';'),
      signature,
      payloadHash,
      securityToken: headers.get('x-amz-security-token')?.[0],
    },
    malformedHeader,
  );
}

function parsePresignedQuery(query: Map<string, string>): SigV4Authorization {
  if (query.get('X-Amz-Algorithm') !== SIGV4_ALGORITHM) {
    throw malformedQuery(`X-Amz-Algorithm only supports "${SIGV4_ALGORITHM}"`);
  }
  const credential = query.get('X-Amz-Credential');
  const amzDate = query.get('X-Amz-Date');
  const expires = query.get('X-Amz-Expires');
  const signedHeaders = query.get('X-Amz-SignedHeaders');
  const signature = query.get('X-Amz-Signature');
  if (!credential || !amzDate || !expires || !signedHeaders || !signature) {
    throw malformedQuery(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const expiresInSeconds = Number(expires);
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 0) {
    throw malformedQuery('X-Amz-Expires should be a number');
  }
  if (expiresInSeconds > MAX_PRESIGNED_EXPIRY_SECONDS) {
    throw malformedQuery('X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds');
  }
  return validated(
    {
      form: 'query',
      scope: parseCredentialScope(credential, malformedQuery),
      amzDate,
      signedHeaders: signedHeaders.split(';'),
      signature,
      // Presigned S3 URLs cannot know the body, so they sign this literal.
      payloadHash: query.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
      expiresInSeconds,
      securityToken: query.get('X-Amz-Security-Token'),
    },
    malformedQuery,
  );
}

function validated(auth: SigV4Authorization, malformed: (message: string) => S3AuthError): SigV4Authorization {
  if (!AMZ_DATE_PATTERN.test(auth.amzDate)) {
    throw malformed(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  }
  if (!auth.amzDate.startsWith(auth.scope.date)) {
    throw malformed(`Invalid credential date "${auth.scope.date}". This date is not the same as X-Amz-Date: "${auth.amzDate.slice(0, 8)}".`);
  }
  if (!auth.signedHeaders.includes('host')) {
    throw malformed('SignedHeaders must include host');
  }
  return auth;
}

function parseCredentialScope(credential: string, malformed: (message: string) => S3AuthError): CredentialScope {
  const [accessKeyId, date, region, service, terminator, ...extra] = credential.split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request' || extra.length > 0) {
    throw malformed(`Invalid credential: ${credential}; expected "<key>/<YYYYMMDD>/<region>/s3/aws4_request"`);
  }
  return { accessKeyId, date, region, service };
}

function canonicalQueryString(rawQuery: string, form: SigV4Authorization['form']): string {
  return parseQueryPairs(rawQuery)
    .filter(([name]) => !(form === 'query' && name === 'X-Amz-Signature'))
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([nameA, valueA], [nameB, valueB]) => compareCodeUnits(nameA, nameB) || compareCodeUnits(valueA, valueB))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function canonicalHeaderValue(values: string[]): string {
  return values.map((value) => value.trim().replace(/\s+/g, ' ')).join(',');
}

function scopeString(scope: CredentialScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
}

function parseAmzDate(amzDate: string): Date {
  const [, year, month, day, hour, minute, second] = AMZ_DATE_PATTERN.exec(amzDate) ?? [];
  return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

function malformedHeader(message: string): S3AuthError {
  return new S3AuthError('AuthorizationHeaderMalformed', message, 400);
}

function malformedQuery(message: string): S3AuthError {
  return new S3AuthError('AuthorizationQueryParametersError', message, 400);
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index === -1 ? [text, ''] : [text.slice(0, index), text.slice(index + separator.length)];
}

function decodeOrKeep(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function sameHex(expected: string, provided: string): boolean {
  const expectedBytes = Buffer.from(expected, 'utf8');
  const providedBytes = Buffer.from(provided.toLowerCase(), 'utf8');
  return expectedBytes.length === providedBytes.length && timingSafeEqual(expectedBytes, providedBytes);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

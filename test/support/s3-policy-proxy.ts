/**
 * A test-only reverse proxy that makes s3rver behave like S3 behind an IAM policy:
 * it verifies SigV4 (header and presigned forms), maps each request to its IAM
 * action/resource/context, evaluates the caller's identity policy with
 * @cloud-copilot/iam-simulate and either answers S3's 403 XML or forwards the
 * request to s3rver as the built-in S3RVER key.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { type IamRequirement, iamRequirementsFor, isMultiObjectDelete, parseDeleteKeys, parsePathStyle, UNKNOWN_ACTION } from './s3-iam-mapping.js';
import { checkRequestTime, checkSignature, parseQueryPairs, parseSigV4, type RawRequest, S3AuthError, type SigV4Authorization, uriEncode } from './sigv4.js';

export interface ProxyUser {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests must carry this token (`x-amz-security-token`). */
  sessionToken?: string;
  /** When set, requests after this instant get `ExpiredToken` (temporary credentials). */
  sessionExpiresAt?: Date;
  /** IAM identity policy document. */
  policy: object;
  accountId?: string;
}

export type ProxyDecision =
  | 'Allowed'
  | 'ImplicitlyDenied'
  | 'ExplicitlyDenied'
  | 'SignatureDoesNotMatch'
  | 'InvalidAccessKeyId'
  | 'InvalidToken'
  | 'ExpiredToken'
  | 'AccessDenied'
  | 'RequestTimeTooSkewed'
  | 'AuthorizationHeaderMalformed'
  | 'AuthorizationQueryParametersError'
  | 'InvalidRequest'
  | 'InvalidURI'
  | 'SimulationError'
  /** CORS preflight: forwarded without authentication, like S3. */
  | 'Preflight';

export interface ProxyLogEntry {
  method: string;
  /** Path exactly as received, still percent-encoded. */
  path: string;
  query: Record<string, string>;
  accessKeyId?: string;
  action?: string;
  resource?: string;
  context: Record<string, string>;
  decision: ProxyDecision;
  status: number;
  /** Why the proxy refused the request, when it did. */
  message?: string;
}

export interface PolicyProxy {
  endpoint: string;
  /** Adds a user, or replaces the one with the same access key id. */
  addUser(user: ProxyUser): void;
  log: ProxyLogEntry[];
  clearLog(): void;
  /** Log entries the proxy refused (everything but Allowed and Preflight). */
  denied(): ProxyLogEntry[];
  /**
   * Holds every allowed request that `matches` (called once per request no earlier hold took, so it may count) before
   * it reaches s3rver, until `release()`: a test can stop a client at a known request, e.g. inside
   * its fourth listing page, and act while it is provably waiting there.
   */
  hold(matches: (entry: ProxyLogEntry) => boolean): RequestHold;
  stop(): Promise<void>;
}

export interface RequestHold {
  /** The requests held so far (their log entries), in arrival order. */
  readonly held: readonly ProxyLogEntry[];
  /** Resolves once `count` requests are held; rejects after `timeoutMs`, listing what the proxy saw. */
  reached(count?: number, timeoutMs?: number): Promise<readonly ProxyLogEntry[]>;
  /** Lets the held requests go on to s3rver (or drops those whose client went away) and holds no more. */
  release(): void;
}

export interface PolicyProxyOptions {
  /** s3rver endpoint, e.g. `http://127.0.0.1:4568`. */
  upstream: string;
  users: ProxyUser[];
}

const DEFAULT_ACCOUNT_ID = '123456789012';
const UPSTREAM_ACCESS_KEY_ID = 'S3RVER';
const HOP_BY_HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
/** Not forwarded: s3rver must not see the caller's token, and the proxy already answered `Expect`. */
const DROPPED_REQUEST_HEADERS = new Set(['host', 'expect', 'x-amz-security-token']);

type EvaluationResult = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

interface Refusal {
  decision: ProxyDecision;
  code: string;
  message: string;
  status: number;
  details?: Record<string, string>;
}

interface AuthenticatedCaller {
  user: ProxyUser;
  auth: SigV4Authorization;
}

interface RequestFacts {
  raw: RawRequest;
  query: Record<string, string>;
  clientIp: string;
}

export async function startPolicyProxy(options: PolicyProxyOptions): Promise<PolicyProxy> {
  const upstream = new URL(options.upstream);
  const users = new Map<string, ProxyUser>();
  const decisionCache = new Map<string, Map<string, Promise<EvaluationResult>>>();
  const log: ProxyLogEntry[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const holds = new Set<HoldState>();

  function hold(matches: (entry: ProxyLogEntry) => boolean): RequestHold {
    const state = createHold(matches, log, () => holds.delete(state));
    holds.add(state);
    return state.public;
  }

  /** Resolves when no hold keeps the request back (at once for most requests). */
  function passHolds(entry: ProxyLogEntry): Promise<void> {
    for (const state of holds) {
      if (state.matches(entry)) return state.add(entry);
    }
    return Promise.resolve();
  }

  function addUser(user: ProxyUser): void {
    users.set(user.accessKeyId, user);
    decisionCache.delete(user.accessKeyId);
  }
  options.users.forEach(addUser);

  function evaluate(user: ProxyUser, requirement: IamRequirement): Promise<EvaluationResult> {
    const cache = decisionCache.get(user.accessKeyId) ?? new Map<string, Promise<EvaluationResult>>();
    decisionCache.set(user.accessKeyId, cache);
    const key = JSON.stringify([requirement.action, requirement.resource, sortedEntries(requirement.context)]);
    let result = cache.get(key);
    if (result === undefined) {
      result = simulate(user, requirement);
      cache.set(key, result);
    }
    return result;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const facts = describeRequest(req);
    if (req.method === 'OPTIONS') {
      const entry = logEntry(facts, { decision: 'Preflight', status: 0 });
      log.push(entry);
      await forward(req, res, facts, undefined, entry);
      return;
    }

    const authentication = authenticate(facts.raw, users, new Date());
    if ('refusal' in authentication) {
      await refuse(req, res, logEntry(facts, { accessKeyId: authentication.accessKeyId }), authentication.refusal);
      return;
    }

    const { user, auth } = authentication.caller;
    const target = s3Target(facts.raw.rawPath);
    if ('refusal' in target) {
      await refuse(req, res, logEntry(facts, { accessKeyId: user.accessKeyId }), target.refusal);
      return;
    }
    const body = isMultiObjectDelete(facts.raw.method, facts.query) ? await readBody(req) : undefined;
    const requirements = iamRequirementsFor({
      ...target,
      method: facts.raw.method,
      query: facts.query,
      headers: req.headers,
      deleteKeys: body === undefined ? undefined : parseDeleteKeys(body.toString('utf8')),
    }).map((requirement) => withCallerContext(requirement, user, auth, facts.clientIp));

    const verdict = await authorize(user, requirements, evaluate);
    const entry = logEntry(facts, {
      accessKeyId: user.accessKeyId,
      action: verdict.requirement.action,
      resource: verdict.requirement.resource,
      context: verdict.requirement.context,
    });
    if (verdict.refusal) {
      await refuse(req, res, entry, verdict.refusal, body !== undefined);
      return;
    }
    entry.decision = 'Allowed';
    log.push(entry);
    await passHolds(entry);
    // A held client may have gone (killed while it waited): nothing to forward for it.
    if (res.destroyed || req.socket.destroyed) return;
    await forward(req, res, facts, body, entry);
  }

  async function refuse(req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, refusal: Refusal, bodyAlreadyRead = false): Promise<void> {
    // Read the upload before answering so clients see the 403 rather than a reset connection.
    if (!bodyAlreadyRead) await readBody(req);
    Object.assign(entry, { decision: refusal.decision, status: refusal.status, message: refusal.message });
    log.push(entry);
    sendS3Error(req, res, refusal);
  }

  async function forward(
    req: IncomingMessage,
    res: ServerResponse,
    facts: RequestFacts,
    bufferedBody: Buffer | undefined,
    entry: ProxyLogEntry,
  ): Promise<void> {
    const upstreamRequest = http.request({
      agent,
      host: upstream.hostname,
      port: upstream.port,
      method: facts.raw.method,
      path: facts.raw.rawPath + rewrittenQuery(facts.raw.rawQuery),
      headers: upstreamHeaders(req.rawHeaders, upstream.host),
    });
    const responded = new Promise<void>((resolve, reject) => {
      upstreamRequest.once('error', reject);
      upstreamRequest.once('response', (upstreamResponse) => {
        entry.status = upstreamResponse.statusCode ?? 502;
        res.writeHead(entry.status, withoutHopByHop(upstreamResponse.rawHeaders));
        pipeline(upstreamResponse, res).then(resolve, reject);
      });
    });
    const sendBody = async (): Promise<void> => {
      if (bufferedBody === undefined) {
        await pipeline(req, upstreamRequest);
      } else {
        upstreamRequest.end(bufferedBody);
      }
    };
    try {
      await Promise.all([sendBody(), responded]);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      entry.status = 502;
      sendS3Error(req, res, {
        decision: 'Allowed',
        code: 'BadGateway',
        message: `s3rver request failed: ${String(error)}`,
        status: 502,
      });
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendS3Error(req, res, { decision: 'Allowed', code: 'InternalError', message: String(error), status: 500 });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    addUser,
    log,
    clearLog: () => {
      log.length = 0;
    },
    denied: () => log.filter((entry) => entry.decision !== 'Allowed' && entry.decision !== 'Preflight'),
    hold,
    stop: async () => {
      for (const state of holds) state.public.release();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

/**
 * A `hold` matcher for a listing of `prefix` (ListObjects v1 or v2, its own pages, not a verify probe of one key)
 * that lets its first `pages` pages through and holds every later one. A page is named by where it starts (continuation
 * token, start-after or marker), so a client's retry of a held page is held too, not counted as the next page.
 */
export function listingPagesAfter(pages: number, prefix: string): (entry: ProxyLogEntry) => boolean {
  const passed = new Set<string>();
  return (entry) => {
    if (entry.action !== 's3:ListBucket' || entry.query.prefix !== prefix || entry.query['max-keys'] === '1') return false;
    const start = entry.query['continuation-token'] ?? entry.query['start-after'] ?? entry.query.marker ?? '';
    if (passed.has(start)) return false;
    if (passed.size < pages) {
      passed.add(start);
      return false;
    }
    return true;
  };
}

/** A `hold` matcher for object reads: the first `objects` distinct keys go through, every read of any other key is held (retries included). */
export function objectReadsAfter(objects: number): (entry: ProxyLogEntry) => boolean {
  const passed = new Set<string>();
  return (entry) => {
    if (entry.action !== 's3:GetObject' || entry.resource === undefined) return false;
    if (passed.has(entry.resource)) return false;
    if (passed.size < objects) {
      passed.add(entry.resource);
      return false;
    }
    return true;
  };
}

/** A `hold` matcher for thumbnail writes (`*_thumb.jpg`, `*_thumb.webp`): the first `thumbnails` distinct keys are written, every write of any other is held (retries included). */
export function thumbnailWritesAfter(thumbnails: number): (entry: ProxyLogEntry) => boolean {
  const passed = new Set<string>();
  return (entry) => {
    if (entry.action !== 's3:PutObject' || entry.resource === undefined || !/_thumb\.(jpg|webp)$/.test(entry.resource)) return false;
    if (passed.has(entry.resource)) return false;
    if (passed.size < thumbnails) {
      passed.add(entry.resource);
      return false;
    }
    return true;
  };
}

interface HoldState {
  matches(entry: ProxyLogEntry): boolean;
  add(entry: ProxyLogEntry): Promise<void>;
  public: RequestHold;
}

function createHold(matches: (entry: ProxyLogEntry) => boolean, log: readonly ProxyLogEntry[], onRelease: () => void): HoldState {
  const held: ProxyLogEntry[] = [];
  const waiting: Array<() => void> = [];
  const watchers = new Set<() => void>();
  let released = false;
  const hold: RequestHold = {
    held,
    reached: (count = 1, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (held.length < count) return;
          settle();
          resolve([...held]);
        };
        const timer = setTimeout(() => {
          settle();
          const seen = log.map((entry) => `${entry.method} ${entry.path}?${new URLSearchParams(entry.query).toString()} ${entry.decision}`).join('\n  ');
          reject(new Error(`the proxy held ${held.length} of ${count} requests within ${timeoutMs} ms; it saw:\n  ${seen}`));
        }, timeoutMs);
        const settle = () => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      }),
    release: () => {
      if (released) return;
      released = true;
      onRelease();
      for (const go of waiting.splice(0)) go();
    },
  };
  return {
    matches: (entry) => !released && matches(entry),
    add: (entry) =>
      new Promise<void>((resolve) => {
        held.push(entry);
        waiting.push(resolve);
        for (const check of [...watchers]) check();
      }),
    public: hold,
  };
}

function describeRequest(req: IncomingMessage): RequestFacts {
  const url = req.url ?? '/';
  const questionMark = url.indexOf('?');
  const raw: RawRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath: questionMark === -1 ? url : url.slice(0, questionMark),
    rawQuery: questionMark === -1 ? '' : url.slice(questionMark + 1),
    rawHeaders: req.rawHeaders,
  };
  return {
    raw,
    query: Object.fromEntries(parseQueryPairs(raw.rawQuery)),
    clientIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
  };
}

function logEntry(facts: RequestFacts, fields: Partial<ProxyLogEntry>): ProxyLogEntry {
  return {
    method: facts.raw.method,
    path: facts.raw.rawPath,
    query: facts.query,
    context: {},
    decision: 'AccessDenied',
    status: 403,
    ...fields,
  };
}

type AuthenticationResult = { caller: AuthenticatedCaller } | { refusal: Refusal; accessKeyId?: string };

function authenticate(raw: RawRequest, users: Map<string, ProxyUser>, now: Date): AuthenticationResult {
  let auth: SigV4Authorization | undefined;
  try {
    auth = parseSigV4(raw);
  } catch (error) {
    return { refusal: refusalFromAuthError(error) };
  }
  if (auth === undefined) {
    // Anonymous access would need a bucket policy; the proxy models identity policies only.
    return { refusal: { decision: 'AccessDenied', code: 'AccessDenied', message: 'Access Denied', status: 403 } };
  }
  const accessKeyId = auth.scope.accessKeyId;
  const refusal = credentialRefusal(raw, auth, users.get(accessKeyId), now);
  if (refusal) return { refusal, accessKeyId };
  return { caller: { user: users.get(accessKeyId) as ProxyUser, auth } };
}

function credentialRefusal(raw: RawRequest, auth: SigV4Authorization, user: ProxyUser | undefined, now: Date): Refusal | undefined {
  if (user === undefined) {
    return {
      decision: 'InvalidAccessKeyId',
      code: 'InvalidAccessKeyId',
      message: 'The AWS Access Key Id you provided does not exist in our records.',
      status: 403,
      details: { AWSAccessKeyId: auth.scope.accessKeyId },
    };
  }
  try {
    checkRequestTime(auth, now);
  } catch (error) {
    return refusalFromAuthError(error);
  }
  const check = checkSignature(raw, auth, user.secretAccessKey);
  if (!check.matches) {
    return {
      decision: 'SignatureDoesNotMatch',
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      status: 403,
      details: {
        AWSAccessKeyId: user.accessKeyId,
        StringToSign: check.stringToSign,
        SignatureProvided: auth.signature,
        CanonicalRequest: check.canonicalRequest,
      },
    };
  }
  return sessionTokenRefusal(user, auth, now);
}

function sessionTokenRefusal(user: ProxyUser, auth: SigV4Authorization, now: Date): Refusal | undefined {
  if (user.sessionToken === undefined) return undefined;
  if (auth.securityToken !== user.sessionToken) {
    return {
      decision: 'InvalidToken',
      code: 'InvalidToken',
      message: 'The provided token is malformed or otherwise invalid.',
      status: 400,
    };
  }
  if (user.sessionExpiresAt !== undefined && now >= user.sessionExpiresAt) {
    return { decision: 'ExpiredToken', code: 'ExpiredToken', message: 'The provided token has expired.', status: 400 };
  }
  return undefined;
}

function refusalFromAuthError(error: unknown): Refusal {
  if (!(error instanceof S3AuthError)) throw error;
  return { decision: error.code as ProxyDecision, code: error.code, message: error.message, status: error.status };
}

function s3Target(rawPath: string): { bucket?: string; key?: string } | { refusal: Refusal } {
  try {
    return parsePathStyle(rawPath);
  } catch {
    const message = `Couldn't parse the specified URI: ${rawPath}`;
    return { refusal: { decision: 'InvalidURI', code: 'InvalidURI', message, status: 400 } };
  }
}

function withCallerContext(requirement: IamRequirement, user: ProxyUser, auth: SigV4Authorization, clientIp: string): IamRequirement {
  return {
    ...requirement,
    context: {
      ...requirement.context,
      'aws:SourceIp': clientIp,
      'aws:SecureTransport': 'false',
      'aws:username': user.accessKeyId,
      'aws:userid': user.accessKeyId,
      'aws:PrincipalArn': principalArn(user),
      'aws:PrincipalAccount': accountIdOf(user),
      'aws:PrincipalType': 'User',
      's3:authType': auth.form === 'header' ? 'REST-HEADER' : 'REST-QUERY-STRING',
      's3:signatureversion': 'AWS4-HMAC-SHA256',
      's3:x-amz-content-sha256': auth.payloadHash,
    },
  };
}

interface Verdict {
  /** The requirement to report: the first refused one, else the main one. */
  requirement: IamRequirement;
  refusal?: Refusal;
}

async function authorize(
  user: ProxyUser,
  requirements: IamRequirement[],
  evaluate: (user: ProxyUser, requirement: IamRequirement) => Promise<EvaluationResult>,
): Promise<Verdict> {
  for (const requirement of requirements) {
    if (requirement.action === UNKNOWN_ACTION) {
      return { requirement, refusal: accessDenied(user, requirement, 'ImplicitlyDenied', 'the test proxy does not know this S3 operation') };
    }
    let result: EvaluationResult;
    try {
      result = await evaluate(user, requirement);
    } catch (error) {
      const message = `iam-simulate rejected the simulation: ${error instanceof Error ? error.message : String(error)}`;
      return { requirement, refusal: { decision: 'SimulationError', code: 'InternalError', message, status: 500 } };
    }
    if (result !== 'Allowed') {
      return { requirement, refusal: accessDenied(user, requirement, result) };
    }
  }
  return { requirement: requirements[0] as IamRequirement };
}

async function simulate(user: ProxyUser, requirement: IamRequirement): Promise<EvaluationResult> {
  const response = await runSimulation(
    {
      request: {
        principal: principalArn(user),
        action: requirement.action,
        resource: { resource: requirement.resource, accountId: accountIdOf(user) },
        contextVariables: requirement.context,
      },
      identityPolicies: [{ name: `${user.accessKeyId}-policy`, policy: user.policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (response.resultType === 'error') {
    throw new Error(JSON.stringify(response.errors));
  }
  return response.overallResult;
}

function accessDenied(user: ProxyUser, requirement: IamRequirement, decision: 'ImplicitlyDenied' | 'ExplicitlyDenied', reason?: string): Refusal {
  const because =
    reason ??
    (decision === 'ExplicitlyDenied'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${requirement.action} action`);
  return {
    decision,
    code: 'AccessDenied',
    message: `User: ${principalArn(user)} is not authorized to perform: ${requirement.action} on resource: "${requirement.resource}" ${because}`,
    status: 403,
  };
}

function principalArn(user: ProxyUser): string {
  return `arn:aws:iam::${accountIdOf(user)}:user/${user.accessKeyId}`;
}

function accountIdOf(user: ProxyUser): string {
  return user.accountId ?? DEFAULT_ACCOUNT_ID;
}

/** Presigned URLs name the caller in the query: s3rver must see its own key id and no token. */
function rewrittenQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const parts = rawQuery
    .split('&')
    .filter((part) => !part.startsWith('X-Amz-Security-Token='))
    .map((part) => {
      if (!part.startsWith('X-Amz-Credential=')) return part;
      const scope = decodeURIComponent(part.slice('X-Amz-Credential='.length)).split('/').slice(1);
      return `X-Amz-Credential=${uriEncode([UPSTREAM_ACCESS_KEY_ID, ...scope].join('/'))}`;
    });
  return `?${parts.join('&')}`;
}

function upstreamHeaders(rawHeaders: string[], upstreamHost: string): string[] {
  const headers: string[] = ['Host', upstreamHost];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lowerName = name.toLowerCase();
    if (HOP_BY_HOP_HEADERS.has(lowerName) || DROPPED_REQUEST_HEADERS.has(lowerName)) continue;
    const value = rawHeaders[i + 1] as string;
    headers.push(name, lowerName === 'authorization' ? value.replace(/Credential=[^/]+\//, `Credential=${UPSTREAM_ACCESS_KEY_ID}/`) : value);
  }
  return headers;
}

function withoutHopByHop(rawHeaders: string[]): string[] {
  const headers: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!HOP_BY_HOP_HEADERS.has((rawHeaders[i] as string).toLowerCase())) {
      headers.push(rawHeaders[i] as string, rawHeaders[i + 1] as string);
    }
  }
  return headers;
}

function sendS3Error(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  const body = s3ErrorXml(refusal);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/xml',
    'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
  };
  // S3 applies the bucket's CORS rules to errors too; echoing the origin lets browser tests read the 403.
  const origin = req.headers.origin;
  if (origin !== undefined) {
    headers['Access-Control-Allow-Origin'] = origin;
    headers['Vary'] = 'Origin';
  }
  if (req.method === 'HEAD') {
    res.writeHead(refusal.status, headers).end();
    return;
  }
  headers['Content-Length'] = Buffer.byteLength(body);
  res.writeHead(refusal.status, headers).end(body);
}

function s3ErrorXml(refusal: Refusal): string {
  const fields: Record<string, string> = {
    Code: refusal.code,
    Message: refusal.message,
    ...refusal.details,
    RequestId: randomBytes(8).toString('hex').toUpperCase(),
    HostId: randomBytes(24).toString('base64'),
  };
  const elements = Object.entries(fields)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${elements}</Error>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch] as string);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sortedEntries(record: Record<string, string>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

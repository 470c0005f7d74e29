/**
 * Presigning throughput in one process: Winnow's `presignGet` as src has it, against
 * `getSignedUrl` per call (what src did first) and the AWS SDK's signer reused across calls,
 * on the same unicode keys, in the same run.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { formatUrl } from '@aws-sdk/core/util';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { createS3ObjectStore } from '../src/datasources/s3.object-store.js';
import { checkSignature, parseSigV4 } from '../test/support/sigv4.js';
import { generateKeys } from './api-samples.js';
import { createWindowedUrlCache } from './cached-presigner.js';
import { createFastPresigner, type PresignGet } from './fast-presigner.js';

export const BENCH_BUCKET = 'bench';
export const BENCH_PREFIX = 'projects/farm-animals/';
export const BENCH_ENDPOINT = 'http://127.0.0.1:9';
export const BENCH_CREDENTIALS = { accessKeyId: 'AKIAWINNOWBENCH00001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const REGION = 'us-east-1';
const EXPIRES_IN = 900;
/** The route presigns a page's 200 URLs concurrently; the per-call figures are sequential. */
const PAGE = 200;
const SLOW_METHOD_KEYS = 20_000;
const SLOW_RATE = 5_000;
const ROUNDS = 4;

export interface PresignRate {
  method: string;
  keys: number;
  ms: number;
  urlsPerSecond: number;
  /** Per second of this process's CPU time: less sensitive to other work on the machine. */
  urlsPerCpuSecond: number;
  /** This method's rate over `getSignedUrl` per call's. */
  ratio: number;
}

export interface PresignVerification {
  keysCompared: number;
  /** Byte-for-byte equal to `getSignedUrl` at the same signing date. */
  identicalToGetSignedUrl: number;
  /** Accepted by an independent SigV4 verifier (test/support/sigv4.ts, as S3 checks). */
  acceptedByVerifier: number;
  /** The windowed cache's URLs, byte-for-byte equal to `getSignedUrl` at the window's start with the stretched TTL. */
  cachedIdenticalToGetSignedUrl: number;
  firstMismatch?: { key: string; expected: string; actual: string };
}

export interface PresignResults {
  keys: number;
  rates: PresignRate[];
  verification: PresignVerification;
  exampleUrl: string;
}

/** An S3 client with createS3ObjectStore's settings, so its URLs are the store's URLs. */
function benchClient(): S3Client {
  return new S3Client({
    region: REGION,
    endpoint: BENCH_ENDPOINT,
    forcePathStyle: true,
    credentials: BENCH_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The HttpRequest the SDK's GetObject serialiser builds for a path-style endpoint. */
function getObjectRequest(key: string): HttpRequest {
  const url = new URL(BENCH_ENDPOINT);
  return {
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: `/${BENCH_BUCKET}/${key.split('/').map(extendedEncodeURIComponent).join('/')}`,
    query: { 'x-id': 'GetObject' },
    headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  };
}

async function timeSequential(keys: readonly string[], presign: (key: string) => Promise<string>): Promise<number> {
  const started = performance.now();
  for (const key of keys) await presign(key);
  return performance.now() - started;
}

async function timePaged(keys: readonly string[], presign: (key: string) => Promise<string>): Promise<number> {
  const started = performance.now();
  for (let first = 0; first < keys.length; first += PAGE) await Promise.all(keys.slice(first, first + PAGE).map(presign));
  return performance.now() - started;
}

/** Checks that the fast presigner's URLs are the SDK's URLs, and that S3's checks accept them. */
async function verify(client: S3Client, fast: PresignGet, keys: readonly string[]): Promise<PresignVerification> {
  const signingDate = new Date('2026-11-29T12:00:00Z');
  const result: PresignVerification = { keysCompared: keys.length, identicalToGetSignedUrl: 0, acceptedByVerifier: 0, cachedIdenticalToGetSignedUrl: 0 };
  const windowSeconds = 300;
  const cached = createWindowedUrlCache(fast, { windowSeconds, maxEntries: keys.length, now: () => signingDate.getTime() + 123_456 });
  for (const key of keys) {
    const expected = await getSignedUrl(client, new GetObjectCommand({ Bucket: BENCH_BUCKET, Key: key }), { expiresIn: EXPIRES_IN, signingDate });
    const actual = await fast(key, EXPIRES_IN, signingDate);
    if (actual === expected) result.identicalToGetSignedUrl++;
    else result.firstMismatch ??= { key, expected, actual };
    const url = new URL(actual);
    const raw = { method: 'GET', rawPath: url.pathname, rawQuery: url.search.slice(1), rawHeaders: ['Host', url.host] };
    const auth = parseSigV4(raw);
    if (auth && checkSignature(raw, auth, BENCH_CREDENTIALS.secretAccessKey).matches) result.acceptedByVerifier++;
    const windowed = await getSignedUrl(client, new GetObjectCommand({ Bucket: BENCH_BUCKET, Key: key }), { expiresIn: EXPIRES_IN + windowSeconds, signingDate });
    if ((await cached.presign(key, EXPIRES_IN)) === windowed) result.cachedIdenticalToGetSignedUrl++;
  }
  return result;
}

export async function measurePresigning(keyCount: number, verifyCount: number): Promise<PresignResults> {
  const keys = generateKeys(keyCount, 7).map((sample) => `${BENCH_PREFIX}${sample.key}`);
  const store = createS3ObjectStore({
    bucket: BENCH_BUCKET,
    region: REGION,
    endpoint: BENCH_ENDPOINT,
    pathStyle: true,
    credentials: BENCH_CREDENTIALS,
    identity: BENCH_CREDENTIALS.accessKeyId,
    sseKmsKeyId: undefined,
    writablePrefix: undefined,
    maxAttempts: 3,
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 60_000,
  });
  const client = benchClient();
  const fast = await createFastPresigner(client, BENCH_BUCKET);
  const signer = new SignatureV4({ service: 's3', region: REGION, credentials: BENCH_CREDENTIALS, sha256: client.config.sha256, uriEscapePath: false });
  const cache = createWindowedUrlCache(fast, { windowSeconds: 3_600, maxEntries: keys.length });
  for (const key of keys) await cache.presign(key, EXPIRES_IN);
  const rawSign = async (key: string) => formatUrl(await signer.presign(getObjectRequest(key), { expiresIn: EXPIRES_IN, unsignableHeaders: new Set(['content-type']) }));

  const getSignedUrlPerCall = (key: string) => getSignedUrl(client, new GetObjectCommand({ Bucket: BENCH_BUCKET, Key: key }), { expiresIn: EXPIRES_IN });
  // A method slower than SLOW_RATE URLs/s in its warm-up is timed on the first SLOW_METHOD_KEYS keys only.
  const slowKeys = keys.slice(0, Math.min(keys.length, SLOW_METHOD_KEYS));
  const keysFor = async (presign: (key: string) => Promise<string>): Promise<readonly string[]> => {
    const ms = await timeSequential(keys.slice(0, 1_000), presign);
    return 1_000 / (ms / 1000) < SLOW_RATE ? slowKeys : keys;
  };
  const storePresign = (key: string) => store.presignGet(key, EXPIRES_IN);
  const storeKeys = await keysFor(storePresign);
  const methods: Array<{ method: string; keys: readonly string[]; run: (keys: readonly string[]) => Promise<number> }> = [
    { method: 'getSignedUrl per call (peer; src before s3-presigner)', keys: slowKeys, run: (k) => timeSequential(k, getSignedUrlPerCall) },
    { method: 'store.presignGet (src as it is)', keys: storeKeys, run: (k) => timeSequential(k, storePresign) },
    { method: 'store.presignGet, 200 at a time (as the route)', keys: storeKeys, run: (k) => timePaged(k, storePresign) },
    { method: 'S3RequestPresigner reused (bench/fast-presigner.ts)', keys, run: (k) => timeSequential(k, (key) => fast(key, EXPIRES_IN)) },
    { method: 'raw SignatureV4.presign reused (peer)', keys, run: (k) => timeSequential(k, rawSign) },
    { method: 'fast presigner + windowed cache, every key seen before', keys, run: (k) => timeSequential(k, (key) => cache.presign(key, EXPIRES_IN)) },
  ];
  // Warm up every path (JIT, signing-key cache) before timing.
  for (const { run } of methods) await run(keys.slice(0, 2_000));
  // Rounds interleave the methods, so a burst of other work on the machine hits them all alike.
  const totals = methods.map(() => 0);
  const cpuTotals = methods.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, { keys: methodKeys, run }] of methods.entries()) {
      const size = Math.ceil(methodKeys.length / ROUNDS);
      const cpuBefore = process.cpuUsage();
      totals[index]! += await run(methodKeys.slice(round * size, (round + 1) * size));
      const cpu = process.cpuUsage(cpuBefore);
      cpuTotals[index]! += (cpu.user + cpu.system) / 1000;
    }
  }
  const rates: PresignRate[] = methods.map(({ method, keys: methodKeys }, index) => ({
    method,
    keys: methodKeys.length,
    ms: totals[index]!,
    urlsPerSecond: methodKeys.length / (totals[index]! / 1000),
    urlsPerCpuSecond: methodKeys.length / (cpuTotals[index]! / 1000),
    ratio: 0,
  }));
  for (const rate of rates) rate.ratio = rate.urlsPerSecond / rates[0]!.urlsPerSecond;

  const step = Math.max(1, Math.floor(keys.length / verifyCount));
  const sample = keys.filter((_, index) => index % step === 0).slice(0, verifyCount);
  const verification = await verify(client, fast, sample);
  const exampleKey = keys.find((key) => /[^\x20-\x7e]/.test(key) && key.includes(' ')) ?? keys[0]!;
  return { keys: keys.length, rates, verification, exampleUrl: await fast(exampleKey, EXPIRES_IN) };
}

/**
 * Presigning throughput in one process, on the same unicode keys in the same run: src's signer
 * (`createPresigner`, no cache) and the S3 store's `presignGet` with its URL cache cold and warm,
 * against `getSignedUrl` per call (what src did first) and the raw `SignatureV4.presign`.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { formatUrl } from '@aws-sdk/core/util';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import type { ObjectStore, PresignedUrl } from '../src/datasources/object-store.js';
import type { SignGet } from '../src/datasources/presigned-url-cache.js';
import { createPresigner } from '../src/datasources/s3-presigner.js';
import { createS3ObjectStore } from '../src/datasources/s3.object-store.js';
import { checkSignature, parseSigV4 } from '../test/support/sigv4.js';
import { generateKeys } from './api-samples.js';

export const BENCH_BUCKET = 'bench';
export const BENCH_PREFIX = 'projects/farm-animals/';
export const BENCH_ENDPOINT = 'http://127.0.0.1:9';
export const BENCH_CREDENTIALS = { accessKeyId: 'AKIAWINNOWBENCH00001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const REGION = 'us-east-1';
const EXPIRES_IN = 900;
/** The route presigns a page's 200 URLs concurrently; the per-call figures are sequential. */
const PAGE = 200;
const SLOW_METHOD_KEYS = 20_000;
/** The store keeps up to 100,000 URLs, the newest 50,000 for sure: these keys and the warm-up's stay cached. */
const WARM_STORE_KEYS = 40_000;
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
  /** The rate the ">= 20,000 URLs/s in one process" target is about: signing, no cache. */
  target: boolean;
}

export interface PresignVerification {
  keysCompared: number;
  /** `createPresigner`'s URLs, byte-for-byte equal to `getSignedUrl` at the same signing date. */
  identicalToGetSignedUrl: number;
  /** `createPresigner`'s URLs accepted by an independent SigV4 verifier (test/support/sigv4.ts, as S3 checks). */
  acceptedByVerifier: number;
  /** `store.presignGet`'s URLs accepted by the verifier, expiring at the `validUntil` they come with, at least the TTL after they were handed out. */
  storeUrlsAccepted: number;
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

function benchStore(): ObjectStore {
  return createS3ObjectStore({
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
    callDeadlineMs: 30_000,
    endpointRules: { privateAddresses: true, linkLocalAddresses: false },
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

async function timeSequential(keys: readonly string[], presign: (key: string) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (const key of keys) await presign(key);
  return performance.now() - started;
}

async function timePaged(keys: readonly string[], presign: (key: string) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let first = 0; first < keys.length; first += PAGE) await Promise.all(keys.slice(first, first + PAGE).map(presign));
  return performance.now() - started;
}

function acceptedByVerifier(url: URL): boolean {
  const raw = { method: 'GET', rawPath: url.pathname, rawQuery: url.search.slice(1), rawHeaders: ['Host', url.host] };
  const auth = parseSigV4(raw);
  return auth !== undefined && checkSignature(raw, auth, BENCH_CREDENTIALS.secretAccessKey).matches;
}

/** When a presigned URL stops working: its X-Amz-Date plus X-Amz-Expires. */
function expiresAt(url: URL): number {
  const date = (url.searchParams.get('X-Amz-Date') ?? '').replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
  return Date.parse(date) + Number(url.searchParams.get('X-Amz-Expires')) * 1000;
}

/** Checks that src's signer gives the SDK's URLs, that S3's checks accept them, and that the store's URLs are what it says they are. */
async function verify(client: S3Client, sign: SignGet, store: ObjectStore, keys: readonly string[]): Promise<PresignVerification> {
  const signingDate = new Date('2026-11-29T12:00:00Z');
  const result: PresignVerification = { keysCompared: keys.length, identicalToGetSignedUrl: 0, acceptedByVerifier: 0, storeUrlsAccepted: 0 };
  for (const key of keys) {
    const expected = await getSignedUrl(client, new GetObjectCommand({ Bucket: BENCH_BUCKET, Key: key }), { expiresIn: EXPIRES_IN, signingDate });
    const actual = await sign(key, EXPIRES_IN, signingDate, BENCH_CREDENTIALS);
    if (actual === expected) result.identicalToGetSignedUrl++;
    else result.firstMismatch ??= { key, expected, actual };
    if (acceptedByVerifier(new URL(actual))) result.acceptedByVerifier++;
    const handedOutAt = Date.now();
    const presigned = await store.presignGet(key, EXPIRES_IN);
    const url = new URL(presigned.url);
    if (acceptedByVerifier(url) && expiresAt(url) === presigned.validUntil && presigned.validUntil >= handedOutAt + EXPIRES_IN * 1000)
      result.storeUrlsAccepted++;
  }
  return result;
}

export async function measurePresigning(keyCount: number, verifyCount: number): Promise<PresignResults> {
  const keys = generateKeys(keyCount, 7).map((sample) => `${BENCH_PREFIX}${sample.key}`);
  // Under their own folder, so the cold store's keys are still new to it when timed.
  const warmUpKeys = generateKeys(2_000, 8).map((sample) => `${BENCH_PREFIX}warm-up/${sample.key}`);
  const client = benchClient();
  const sign = await createPresigner(client, BENCH_BUCKET);
  const signer = new SignatureV4({ service: 's3', region: REGION, credentials: BENCH_CREDENTIALS, sha256: client.config.sha256, uriEscapePath: false });
  const rawSign = async (key: string) =>
    formatUrl(await signer.presign(getObjectRequest(key), { expiresIn: EXPIRES_IN, unsignableHeaders: new Set(['content-type']) }));
  const getSignedUrlPerCall = (key: string) => getSignedUrl(client, new GetObjectCommand({ Bucket: BENCH_BUCKET, Key: key }), { expiresIn: EXPIRES_IN });
  const coldStore = benchStore();
  const warmStore = benchStore();
  const warmKeys = keys.slice(0, WARM_STORE_KEYS);
  const warmUrls = new Map<string, PresignedUrl>();
  for (const key of warmKeys) warmUrls.set(key, await warmStore.presignGet(key, EXPIRES_IN));

  const slowKeys = keys.slice(0, SLOW_METHOD_KEYS);
  const methods: Array<{ method: string; keys: readonly string[]; target?: boolean; run: (keys: readonly string[]) => Promise<number> }> = [
    { method: 'getSignedUrl per call (peer; src before s3-presigner)', keys: slowKeys, run: (k) => timeSequential(k, getSignedUrlPerCall) },
    {
      method: 'createPresigner, no cache (src signing)',
      keys,
      target: true,
      run: (k) => timeSequential(k, (key) => sign(key, EXPIRES_IN, new Date(), BENCH_CREDENTIALS)),
    },
    { method: 'raw SignatureV4.presign reused (peer)', keys, run: (k) => timeSequential(k, rawSign) },
    { method: 'store.presignGet, every key new (URL cache cold)', keys, run: (k) => timeSequential(k, (key) => coldStore.presignGet(key, EXPIRES_IN)) },
    { method: 'store.presignGet, every key seen before (warm)', keys: warmKeys, run: (k) => timeSequential(k, (key) => warmStore.presignGet(key, EXPIRES_IN)) },
    {
      method: 'store.presignGet, warm, 200 at a time (as the route)',
      keys: warmKeys,
      run: (k) => timePaged(k, (key) => warmStore.presignGet(key, EXPIRES_IN)),
    },
  ];
  // Warm up every path (JIT, signing-key cache) before timing.
  for (const { run } of methods) await run(warmUpKeys);
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
  const rates: PresignRate[] = methods.map(({ method, keys: methodKeys, target }, index) => ({
    method,
    keys: methodKeys.length,
    ms: totals[index]!,
    urlsPerSecond: methodKeys.length / (totals[index]! / 1000),
    urlsPerCpuSecond: methodKeys.length / (cpuTotals[index]! / 1000),
    ratio: 0,
    target: target ?? false,
  }));
  for (const rate of rates) rate.ratio = rate.urlsPerSecond / rates[0]!.urlsPerSecond;
  for (const key of warmKeys) {
    if ((await warmStore.presignGet(key, EXPIRES_IN)) !== warmUrls.get(key)) throw new Error(`the warm store signed ${key} again: its figures are not warm`);
  }

  const step = Math.max(1, Math.floor(keys.length / verifyCount));
  const sample = keys.filter((_, index) => index % step === 0).slice(0, verifyCount);
  const verification = await verify(client, sign, benchStore(), sample);
  const exampleKey = keys.find((key) => /[^\x20-\x7e]/.test(key) && key.includes(' ')) ?? keys[0]!;
  return { keys: keys.length, rates, verification, exampleUrl: await sign(exampleKey, EXPIRES_IN, new Date(), BENCH_CREDENTIALS) };
}

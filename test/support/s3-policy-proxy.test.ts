import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listOnlyPolicy, prefixConditionPolicy, readOnlyPolicy, referencePolicy } from './policies.js';
import { createS3rverClient, putObjects, type S3Server, startS3Server } from './s3-server.js';
import { type PolicyProxy, type ProxyUser, startPolicyProxy } from './s3-policy-proxy.js';

const BUCKET = 'datalake';
const PAGING_BUCKET = 'paging';
const PREFIX = 'projects/farm-animals/';
const OUTSIDE_KEY = 'projects/farm-animals-2/x.jpg';
const INSIDE_KEY = `${PREFIX}cow.jpg`;
const UNICODE_KEY = `${PREFIX}ç ü 猫 + % # x.jpg`;
const PAGING_OBJECT_COUNT = 2_100;

const users = {
  reference: user('AKIAREFERENCE', referencePolicy(BUCKET, PREFIX)),
  prefixCondition: user('AKIAPREFIXCONDITION', prefixConditionPolicy(BUCKET, PREFIX)),
  readOnly: user('AKIAREADONLY', readOnlyPolicy(BUCKET, PREFIX)),
  listOnly: user('AKIALISTONLY', listOnlyPolicy(BUCKET, PREFIX)),
  paging: user('AKIAPAGING', referencePolicy(PAGING_BUCKET, PREFIX)),
  temporary: { ...user('ASIATEMPORARY', readOnlyPolicy(BUCKET, PREFIX)), sessionToken: 'session-token-1' },
};

let server: S3Server;
let proxy: PolicyProxy;
let seedClient: S3Client;
const clients: S3Client[] = [];

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET, PAGING_BUCKET], cors: true });
  proxy = await startPolicyProxy({ upstream: server.endpoint, users: Object.values(users) });
  seedClient = createS3rverClient(server.endpoint);
  await putObjects(seedClient, BUCKET, [
    { key: INSIDE_KEY, body: 'moo' },
    { key: OUTSIDE_KEY, body: 'not for you' },
    { key: 'projects/other/sheep.jpg', body: 'baa' },
  ]);
});

afterAll(async () => {
  for (const client of [seedClient, ...clients]) client?.destroy();
  await proxy?.stop();
  await server?.stop();
});

beforeEach(() => proxy.clearLog());

describe('reference policy (the documented one)', () => {
  it('allows listing inside the prefix', async () => {
    const listing = await clientFor(users.reference).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX }));
    expect(keysOf(listing.Contents)).toContain(INSIDE_KEY);
    expect(proxy.log).toMatchObject([
      {
        action: 's3:ListBucket',
        resource: `arn:aws:s3:::${BUCKET}`,
        context: { 's3:prefix': PREFIX, 'aws:SourceIp': '127.0.0.1', 'aws:SecureTransport': 'false' },
        decision: 'Allowed',
        status: 200,
      },
    ]);
  });

  it('also allows listing the whole bucket: the known flaw of the documented policy', async () => {
    const listing = await clientFor(users.reference).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: '' }));
    expect(keysOf(listing.Contents)).toContain(OUTSIDE_KEY);
    expect(proxy.log[0]).toMatchObject({ context: { 's3:prefix': '' }, decision: 'Allowed' });
  });

  it('allows reading, writing and deleting objects inside the prefix', async () => {
    const client = clientFor(users.reference);
    const key = `${PREFIX}calf.jpg`;
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'calf' }));
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await object.Body?.transformToString()).toBe('calf');
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(proxy.log.map((entry) => [entry.action, entry.decision])).toEqual([
      ['s3:PutObject', 'Allowed'],
      ['s3:GetObject', 'Allowed'],
      ['s3:DeleteObject', 'Allowed'],
    ]);
  });

  it('denies reading a look-alike prefix outside the shared folder, in S3 words, and logs it', async () => {
    const error = await rejectionOf(clientFor(users.reference).send(new GetObjectCommand({ Bucket: BUCKET, Key: OUTSIDE_KEY })));
    expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(error.message).toBe(
      `User: arn:aws:iam::123456789012:user/AKIAREFERENCE is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${BUCKET}/${OUTSIDE_KEY}" because no identity-based policy allows the s3:GetObject action`,
    );
    expect(proxy.denied()).toMatchObject([
      {
        method: 'GET',
        accessKeyId: 'AKIAREFERENCE',
        action: 's3:GetObject',
        resource: `arn:aws:s3:::${BUCKET}/${OUTSIDE_KEY}`,
        decision: 'ImplicitlyDenied',
        status: 403,
      },
    ]);
  });

  it('denies HEAD outside the prefix with a bodiless 403', async () => {
    const error = await rejectionOf(clientFor(users.reference).send(new HeadObjectCommand({ Bucket: BUCKET, Key: OUTSIDE_KEY })));
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });

  it('denies ListBuckets and GetBucketLocation', async () => {
    const client = clientFor(users.reference);
    const requests = [() => client.send(new ListBucketsCommand({})), () => client.send(new GetBucketLocationCommand({ Bucket: BUCKET }))];
    for (const request of requests) {
      expect(await rejectionOf(request())).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    }
    expect(proxy.denied().map((entry) => [entry.action, entry.resource])).toEqual([
      ['s3:ListAllMyBuckets', '*'],
      ['s3:GetBucketLocation', `arn:aws:s3:::${BUCKET}`],
    ]);
  });

  it('allows HeadBucket, which AWS authorizes as an unconditioned s3:ListBucket', async () => {
    await clientFor(users.reference).send(new HeadBucketCommand({ Bucket: BUCKET }));
    expect(proxy.log[0]).toMatchObject({ method: 'HEAD', action: 's3:ListBucket', decision: 'Allowed' });
  });

  it('denies copying from outside the prefix into it', async () => {
    const client = clientFor(users.reference);
    const copy = (source: string) => client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}copy.jpg`, CopySource: `${BUCKET}/${source}` }));
    await copy(INSIDE_KEY);
    expect(await rejectionOf(copy(OUTSIDE_KEY))).toMatchObject({ name: 'AccessDenied' });
    expect(proxy.denied()[0]).toMatchObject({ action: 's3:GetObject', resource: `arn:aws:s3:::${BUCKET}/${OUTSIDE_KEY}` });
  });

  it('allows a multi-object delete only when every key is inside the prefix', async () => {
    const client = clientFor(users.reference);
    const keys = [`${PREFIX}delete-1.jpg`, `${PREFIX}delete-2.jpg`];
    await putObjects(
      seedClient,
      BUCKET,
      keys.map((key) => ({ key, body: key })),
    );
    const deleteKeys = (toDelete: string[]) => client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: toDelete.map((Key) => ({ Key })) } }));

    expect(await rejectionOf(deleteKeys([keys[0] as string, OUTSIDE_KEY]))).toMatchObject({ name: 'AccessDenied' });
    const result = await deleteKeys(keys);
    expect(result.Deleted?.map((deleted) => deleted.Key).sort()).toEqual(keys);
  });

  it('allows a multipart upload inside the prefix', async () => {
    const client = clientFor(users.reference);
    const key = `${PREFIX}multipart.bin`;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: 'one part' }));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }));
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await object.Body?.transformToString()).toBe('one part');
    expect(new Set(proxy.log.map((entry) => entry.action))).toEqual(new Set(['s3:PutObject', 's3:GetObject']));
  });
});

describe('tighter policies', () => {
  it('prefix condition: listing elsewhere (or everything) is denied, inside is allowed', async () => {
    const client = clientFor(users.prefixCondition);
    await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX }));
    for (const prefix of ['projects/other/', '']) {
      expect(await rejectionOf(client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix })))).toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
    }
    expect(proxy.denied().map((entry) => entry.context['s3:prefix'])).toEqual(['projects/other/', '']);
  });

  it('prefix condition: HeadBucket is denied because it carries no s3:prefix', async () => {
    const error = await rejectionOf(clientFor(users.prefixCondition).send(new HeadBucketCommand({ Bucket: BUCKET })));
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect(proxy.denied()[0]).toMatchObject({ method: 'HEAD', action: 's3:ListBucket', decision: 'ImplicitlyDenied' });
  });

  it('read-only: can read inside the prefix but not write', async () => {
    const client = clientFor(users.readOnly);
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: INSIDE_KEY }));
    expect(await object.Body?.transformToString()).toBe('moo');
    const write = client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}new.jpg`, Body: 'x' }));
    expect(await rejectionOf(write)).toMatchObject({ name: 'AccessDenied' });
  });

  it('list-only: can list inside the prefix but not read', async () => {
    const client = clientFor(users.listOnly);
    await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX, Delimiter: '/' }));
    expect(proxy.log[0]?.context).toMatchObject({ 's3:prefix': PREFIX, 's3:delimiter': '/' });
    const read = client.send(new GetObjectCommand({ Bucket: BUCKET, Key: INSIDE_KEY }));
    expect(await rejectionOf(read)).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('authentication', () => {
  it('rejects a wrong secret with SignatureDoesNotMatch', async () => {
    const client = clientFor({ ...users.reference, secretAccessKey: 'not-the-secret' });
    const error = await rejectionOf(client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX })));
    expect(error).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    expect(proxy.denied()[0]).toMatchObject({ decision: 'SignatureDoesNotMatch', accessKeyId: 'AKIAREFERENCE' });
  });

  it('rejects an unknown access key id with InvalidAccessKeyId', async () => {
    const client = clientFor({ ...users.reference, accessKeyId: 'AKIANOBODY' });
    const error = await rejectionOf(client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX })));
    expect(error).toMatchObject({ name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } });
  });

  it('rejects anonymous requests', async () => {
    const response = await fetch(`${proxy.endpoint}/${BUCKET}/${INSIDE_KEY}`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('requires the session token of temporary credentials, and honours its expiry', async () => {
    const read = (client: S3Client) => client.send(new GetObjectCommand({ Bucket: BUCKET, Key: INSIDE_KEY }));
    await read(clientFor(users.temporary));
    const { sessionToken: _token, ...withoutToken } = users.temporary;
    expect(await rejectionOf(read(clientFor(withoutToken)))).toMatchObject({ name: 'InvalidToken' });
    expect(await rejectionOf(read(clientFor({ ...users.temporary, sessionToken: 'stolen' })))).toMatchObject({ name: 'InvalidToken' });

    proxy.addUser({ ...users.temporary, sessionExpiresAt: new Date(Date.now() - 1000) });
    try {
      expect(await rejectionOf(read(clientFor(users.temporary)))).toMatchObject({ name: 'ExpiredToken' });
    } finally {
      proxy.addUser(users.temporary);
    }
  });

  it('forwards CORS preflights unauthenticated, as S3 does', async () => {
    const response = await fetch(`${proxy.endpoint}/${BUCKET}/${INSIDE_KEY}`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://app.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(proxy.log[0]).toMatchObject({ method: 'OPTIONS', decision: 'Preflight' });
  });
});

describe('awkward keys and presigned URLs', () => {
  const bytes = randomBytes(2048);

  beforeAll(async () => {
    await putObjects(seedClient, BUCKET, [{ key: UNICODE_KEY, body: bytes }]);
  });

  it('serves a presigned GET for a key with spaces, unicode, +, % and #', async () => {
    const url = await getSignedUrl(clientFor(users.reference), new GetObjectCommand({ Bucket: BUCKET, Key: UNICODE_KEY }), {
      expiresIn: 60,
    });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    expect(proxy.log[0]).toMatchObject({
      resource: `arn:aws:s3:::${BUCKET}/${UNICODE_KEY}`,
      context: { 's3:authType': 'REST-QUERY-STRING' },
      decision: 'Allowed',
    });
  });

  it('answers an expired presigned URL with 403 "Request has expired"', async () => {
    const url = await getSignedUrl(clientFor(users.reference), new GetObjectCommand({ Bucket: BUCKET, Key: UNICODE_KEY }), {
      expiresIn: 1,
    });
    const response = await pollUntil(
      () => fetch(url),
      (candidate) => candidate.status !== 200,
      10_000,
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Message>Request has expired</Message>');
  });

  it('round-trips awkward keys with header signing', async () => {
    const client = clientFor(users.reference);
    // No `a//b` keys: s3rver's router cannot match empty path segments (404).
    for (const key of [UNICODE_KEY, `${PREFIX}quote's (1) [2] {3} ~!*@$&=;:,?.jpg`, `${PREFIX}100% #1+2=3.jpg`]) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
      const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(await object.Body?.transformToString()).toBe(key);
    }
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: UNICODE_KEY, Body: bytes }));
    expect(proxy.denied()).toEqual([]);
  });

  it('round-trips a 1,000-character key', async () => {
    const client = clientFor(users.reference);
    const key = longKey(PREFIX, 1_000);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'long' }));
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await object.Body?.transformToString()).toBe('long');
    const listing = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
    expect(keysOf(listing.Contents)).toEqual([key]);
  });
});

describe('listing many keys', () => {
  const pagingPrefix = `${PREFIX}paging/`;
  const expectedKeys = Array.from({ length: PAGING_OBJECT_COUNT }, (_, i) => `${pagingPrefix}${String(i).padStart(5, '0')}.jpg`);

  beforeAll(async () => {
    await putObjects(
      seedClient,
      PAGING_BUCKET,
      expectedKeys.map((key) => ({ key, body: 'x' })),
    );
  });

  it('pages ListObjectsV2 through the proxy across several pages', async () => {
    const pages = paginateListObjectsV2({ client: clientFor(users.paging) }, { Bucket: PAGING_BUCKET, Prefix: pagingPrefix });
    const listed: string[] = [];
    let pageCount = 0;
    for await (const page of pages) {
      pageCount++;
      listed.push(...keysOf(page.Contents));
    }
    expect(listed).toEqual(expectedKeys);
    expect(pageCount).toBe(3);
    expect(proxy.log.map((entry) => [entry.action, entry.decision, entry.status])).toEqual(Array.from({ length: 3 }, () => ['s3:ListBucket', 'Allowed', 200]));
  });

  it('holds the matching page until released, and lets the others through', async () => {
    let listings = 0;
    const hold = proxy.hold((entry) => entry.action === 's3:ListBucket' && ++listings === 2);
    const pages = paginateListObjectsV2({ client: clientFor(users.paging) }, { Bucket: PAGING_BUCKET, Prefix: pagingPrefix });
    const listed: string[] = [];
    const listing = (async () => {
      for await (const page of pages) listed.push(...keysOf(page.Contents));
    })();
    const [second] = await hold.reached(1);
    expect(second?.query['continuation-token']).toBeDefined();
    // The client is waiting on page 2: it has page 1 only, and sent nothing after it.
    expect(listed).toEqual(expectedKeys.slice(0, 1_000));
    expect(proxy.log).toHaveLength(2);
    hold.release();
    await listing;
    expect(listed).toEqual(expectedKeys);
    expect(proxy.log).toHaveLength(3);
  });
});

function user(accessKeyId: string, policy: object): ProxyUser {
  return { accessKeyId, secretAccessKey: `${accessKeyId.toLowerCase()}-secret`, policy };
}

function clientFor(credentials: Pick<ProxyUser, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>): S3Client {
  const client = new S3Client({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to be rejected, but it succeeded');
}

function keysOf(contents: Array<{ Key?: string }> | undefined): string[] {
  return (contents ?? []).map((object) => object.Key as string);
}

/** A key of exactly `length` characters under `prefix`, in segments short enough for s3rver's file store. */
function longKey(prefix: string, length: number): string {
  const segments: string[] = [];
  let key = prefix;
  while (key.length < length) {
    const remaining = length - key.length;
    const segment = remaining > 201 ? `${'s'.repeat(199)}/` : 'k'.repeat(remaining);
    segments.push(segment);
    key += segment;
  }
  return key;
}

async function pollUntil<T>(attempt: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AwsCredentialIdentity } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { createPresigner } from './s3-presigner.js';

const STATIC: AwsCredentialIdentity = { accessKeyId: 'AKIAREFERENCE0000001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const SESSION: AwsCredentialIdentity = {
  accessKeyId: 'ASIAREFERENCE0000002',
  secretAccessKey: 'session/secret+key=with/odd&chars',
  sessionToken: 'IQoJb3JpZ2luX2VjEOr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with=padding==',
};

/** Keys that break naive encoders: every character class S3 allows, folders, and the ones URLs treat specially. */
const KEYS = [
  'plain.jpg',
  'projects/farm-animals/cows/2024-05/cam 01/IMG 0001.JPG',
  'projects/farm-animals/ç ü 猫 + % # 100% (x).jpg',
  "projects/farm-animals/it's ~*!()'.png",
  'projects/farm-animals/a&b=c?d.webp',
  'projects/farm-animals/emoji 🐄🐑.jpeg',
  'projects/farm-animals/double//slash.jpg',
  'projects/farm-animals/trailing-space .jpg',
  'projects/farm-animals/%2F-looks-encoded%20already.jpg',
  'projects/farm-animals/tab\tand;semicolon,comma$dollar@at.jpg',
  'projects/farm-animals/[brackets]{braces}^caret`tick|pipe.jpg',
  ...Array.from({ length: 50 }, (_, index) => `projects/farm-animals/${String.fromCodePoint(0x4e00 + index * 97)} ${index}+${'é'.repeat(index % 4)}.jpg`),
];

const DATES = [new Date('2026-12-02T10:00:00.000Z'), new Date('2026-12-02T23:59:59.999Z'), new Date('2027-01-01T00:00:00.000Z')];

function client(config: Partial<S3ClientConfig>): S3Client {
  return new S3Client({ region: 'eu-west-1', credentials: STATIC, ...config });
}

/** Counts the requests that go through the client's middleware, as every getSignedUrl does. */
function countSdkCalls(s3: S3Client): { count: number } {
  const calls = { count: 0 };
  s3.middlewareStack.add((next) => (args) => (calls.count++, next(args)), { step: 'initialize' });
  return calls;
}

async function expectSameUrlsAsTheSdk(s3: S3Client, bucket: string, credentials: () => Promise<AwsCredentialIdentity>): Promise<void> {
  const sdkCalls = countSdkCalls(s3);
  const sign = await createPresigner(s3, bucket);
  for (const signingDate of DATES) {
    for (const [index, key] of KEYS.entries()) {
      const expiresIn = [60, 900, 1_500, 604_800][index % 4]!;
      const expected = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn, signingDate });
      const before = sdkCalls.count;
      expect(await sign(key, expiresIn, signingDate, await credentials())).toBe(expected);
      // Signed from the template, not by falling back to the SDK.
      expect(sdkCalls.count).toBe(before);
    }
  }
}

describe('createPresigner', () => {
  it('leaves signing to the SDK when its URLs carry something the template does not know', async () => {
    // As a future SDK or an endpoint rule might: one more signed parameter on every GetObject.
    const s3 = client({});
    s3.middlewareStack.add(
      (next) => (args) => {
        (args.request as { query: Record<string, string> }).query['X-Amz-Something-New'] = 'yes';
        return next(args);
      },
      { step: 'build' },
    );
    const sdkCalls = countSdkCalls(s3);
    const sign = await createPresigner(s3, 'datalake');
    const before = sdkCalls.count;
    const url = await sign(KEYS[2]!, 900, DATES[0]!, STATIC);
    expect(sdkCalls.count).toBe(before + 1);
    expect(url).toBe(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'datalake', Key: KEYS[2] }), { expiresIn: 900, signingDate: DATES[0] }));
    expect(url).toContain('X-Amz-Something-New=yes');
  });

  it('signs byte for byte what getSignedUrl signs, on a path-style endpoint with a port', async () => {
    const s3 = client({ endpoint: 'http://127.0.0.1:4569', forcePathStyle: true });
    await expectSameUrlsAsTheSdk(s3, 'datalake', async () => STATIC);
  });

  it('signs byte for byte what getSignedUrl signs, on AWS virtual-hosted buckets and in another region', async () => {
    await expectSameUrlsAsTheSdk(client({}), 'datalake', async () => STATIC);
    await expectSameUrlsAsTheSdk(client({ region: 'us-east-1' }), 'my.dotted.bucket', async () => STATIC);
  });

  it('carries the session token of temporary credentials, and follows credentials that change', async () => {
    await expectSameUrlsAsTheSdk(client({ credentials: SESSION }), 'datalake', async () => SESSION);
    // Credentials that expire within the SDK's refresh margin are fetched again on every call, as a role's are near their end.
    const expiring = (credentials: AwsCredentialIdentity) => ({ ...credentials, expiration: new Date(Date.now() + 60_000) });
    let current = expiring(STATIC);
    const rotating = client({ credentials: async () => current });
    const sdkCalls = countSdkCalls(rotating);
    const sign = await createPresigner(rotating, 'datalake');
    for (const next of [SESSION, STATIC, { ...SESSION, accessKeyId: 'ASIAREFERENCE0000003' }]) {
      current = expiring(next);
      const expected = await getSignedUrl(rotating, new GetObjectCommand({ Bucket: 'datalake', Key: KEYS[2] }), { expiresIn: 900, signingDate: DATES[0] });
      const before = sdkCalls.count;
      expect(await sign(KEYS[2]!, 900, DATES[0]!, current)).toBe(expected);
      expect(sdkCalls.count).toBe(before);
    }
    expect(sdkCalls.count).toBeGreaterThan(3);
  });
});

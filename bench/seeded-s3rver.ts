import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3rverClient, startS3Server } from '../test/support/s3-server.js';
import { BUCKET, INPUT_PREFIX, SIBLING_COUNT, SIBLING_PREFIX, relativeKey } from './bucket-layout.js';
import { makeTempDir, onCleanup } from './cleanup.js';

export const OBJECT_BODY = readFileSync(new URL('../test/fixtures/images/cat.jpg', import.meta.url));

export interface SeededS3rver {
  endpoint: string;
  port: number;
  objectCount: number;
  seedMs: number;
  stop(): Promise<void>;
}

/**
 * s3rver with `objectCount` JPEGs under the input prefix and SIBLING_COUNT under the
 * sibling prefix. Seeding through PutObject runs at ~700 objects/s, so the objects are
 * written straight into s3rver's directory before it starts, then spot-checked through S3.
 */
export async function startSeededS3rver(objectCount: number): Promise<SeededS3rver> {
  const directory = await makeTempDir('winnow-bench-s3rver-');
  const seedStarted = performance.now();
  writeObjects(directory.path, INPUT_PREFIX, objectCount);
  writeObjects(directory.path, SIBLING_PREFIX, SIBLING_COUNT);
  const seedMs = performance.now() - seedStarted;

  const server = await startS3Server({ directory: directory.path, buckets: [BUCKET] });
  const stopServer = onCleanup('stop s3rver', () => server.stop());
  await assertServedLikeUploads(server.endpoint);
  return {
    endpoint: server.endpoint,
    port: server.port,
    objectCount,
    seedMs,
    stop: async () => {
      await stopServer();
      await directory.remove();
    },
  };
}

/** s3rver's FilesystemStore layout (node_modules/s3rver/lib/stores/filesystem.js), as a PutObject leaves it. */
function writeObjects(root: string, prefix: string, count: number): void {
  const md5 = createHash('md5').update(OBJECT_BODY).digest('hex');
  const metadata = JSON.stringify({ 'content-type': 'image/jpeg' }, null, 2);
  const createdFolders = new Set<string>();
  for (let index = 0; index < count; index++) {
    const base = join(root, BUCKET, `${prefix}${relativeKey(index)}._S3rver_`);
    const folder = dirname(base);
    if (!createdFolders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      createdFolders.add(folder);
    }
    writeFileSync(`${base}object`, OBJECT_BODY);
    writeFileSync(`${base}object.md5`, md5);
    writeFileSync(`${base}metadata.json`, metadata);
  }
}

/** The seeded files must list and read back exactly like uploaded objects, or every figure is meaningless. */
async function assertServedLikeUploads(endpoint: string): Promise<void> {
  const client = createS3rverClient(endpoint);
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: INPUT_PREFIX, MaxKeys: 2 }));
    const expectedKeys = [0, 1].map((index) => `${INPUT_PREFIX}${relativeKey(index)}`);
    const listedKeys = (page.Contents ?? []).map((entry) => entry.Key);
    if (JSON.stringify(listedKeys) !== JSON.stringify(expectedKeys)) {
      throw new Error(`s3rver lists ${JSON.stringify(listedKeys)} instead of ${JSON.stringify(expectedKeys)}`);
    }
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: expectedKeys[0] }));
    const body = Buffer.from(await object.Body!.transformToByteArray());
    const md5 = createHash('md5').update(OBJECT_BODY).digest('hex');
    if (!body.equals(OBJECT_BODY) || object.ETag !== `"${md5}"` || object.ContentType !== 'image/jpeg') {
      throw new Error(`s3rver serves a seeded object wrongly (etag ${object.ETag}, ${body.length} bytes, ${object.ContentType})`);
    }
  } finally {
    client.destroy();
  }
}

import { writeFileSync } from 'node:fs';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { cliAsS3User, freshHome, type CliUser } from './support/cli.js';
import { referencePolicy, type IamPolicy } from './support/policies.js';
import { fixtureImage as image, proxyUser as user, startSeededS3, underPrefix, type SeededS3 } from './support/s3-fixture.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const owner = user('AKIALOOSEENDS0000001', referencePolicy(BUCKET, PREFIX));
/** Two neighbouring folders, each holding images and objects of the user's own inside and next to `.winnow/`. */
const BARN_A = 'projects/barn-a/';
const BARN_B = 'projects/barn-b/';
const usersOwn = (prefix: string) => ({
  [`${prefix}.winnow/thumbnails/cows/gone.jpg.users-own-copy.webp`]: image('cat.webp'),
  [`${prefix}.winnow/notes.txt`]: 'my notes, not Winnow’s',
  [`${prefix}cows/gone.jpg.txt`]: 'a caption next to the image',
});
const barn = (prefix: string) => ({ [`${prefix}cows/a.jpg`]: image('cat.jpg'), [`${prefix}cows/gone.jpg`]: image('cat.jpg'), ...usersOwn(prefix) });

/** The reference policy for `prefix`, with deleting objects explicitly denied. */
function noDeletePolicy(prefix: string): IamPolicy {
  const policy = referencePolicy(BUCKET, prefix);
  return { ...policy, Statement: [...policy.Statement, { Effect: 'Deny', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${BUCKET}/${prefix}*` }] };
}
const farmerA = user('AKIABARNANODELETE001', noDeletePolicy(BARN_A));
const farmerB = user('AKIABARNBDELETES0001', referencePolicy(BUCKET, BARN_B));
/** Folders whose thumbnails an earlier version made as 256 px WebP: keys that may delete, and keys that may not. */
const BARN_C = 'projects/barn-c/';
const BARN_D = 'projects/barn-d/';
const farmerC = user('AKIABARNCDELETES0001', referencePolicy(BUCKET, BARN_C));
const farmerD = user('AKIABARNDNODELETE001', noDeletePolicy(BARN_D));
const photos = (prefix: string) => ({ [`${prefix}cows/chelsea.jpg`]: image('chelsea-exif6.jpg'), [`${prefix}cows/cat.jpg`]: image('cat.jpg') });

let s3: SeededS3;
beforeAll(async () => {
  s3 = await startSeededS3({
    buckets: [BUCKET],
    users: [owner, farmerA, farmerB, farmerC, farmerD],
    objects: {
      [BUCKET]: {
        ...underPrefix(PREFIX, { 'cows/a.jpg': image('cat.jpg'), 'cows/b.jpg': image('cat.jpg'), 'cows/unlisted.jpg': image('cat.jpg'), 'notes.txt': 'text' }),
        'projects/farm-animals-2/x.jpg': image('cat.jpg'),
        ...barn(BARN_A),
        ...barn(BARN_B),
        ...photos(BARN_C),
        ...photos(BARN_D),
      },
    },
  });
});
afterAll(async () => s3?.stop());

describe('--relevant-filenames keys that index nothing', () => {
  const cli = cliAsS3User({ keys: owner, input: INPUT, endpoint: () => s3.proxy.endpoint });
  const typos = Array.from({ length: 5 }, (_, i) => `cows/typo-${i}.jpg`);

  beforeAll(async () => {
    const list = join(freshHome(), 'relevant.txt');
    const lines = ['cows/a.jpg', 'cows/a.jpg', `s3://${BUCKET}/${PREFIX}cows/b.jpg`, ...typos, 'projects/farm-animals-2/x.jpg', 'notes.txt'];
    writeFileSync(list, `${lines.join('\n')}\n`);
    const created = await cli.create('listed', '--relevant-filenames', list);
    expect(created.code, created.stderr).toBe(0);
  });

  it('names the count and the first few keys in the summary, and all of them in --json', async () => {
    const text = await cli.run('dataset', 'sync', 'listed');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('2 samples');
    expect(text.stdout).toContain(
      'warning: 5 relevant filename(s) not found in the bucket: "cows/typo-0.jpg", "cows/typo-1.jpg", "cows/typo-2.jpg", … (all of them: --json)',
    );
    expect(text.stdout).toContain('warning: 1 relevant filename(s) outside the input location (never indexed): "projects/farm-animals-2/x.jpg"');
    expect(text.stdout).toContain('warning: 1 relevant filename(s) listed more than once: "cows/a.jpg"');
    expect(text.stdout).toContain('warning: 1 relevant filename(s) dropped by the dataset filters');

    const json = (await cli.run('dataset', 'sync', 'listed', '--json')).json<Record<string, unknown>>();
    expect(json).toMatchObject({
      total: 2,
      relevantMissing: typos,
      relevantOutside: ['projects/farm-animals-2/x.jpg'],
      relevantRepeated: ['cows/a.jpg'],
      relevantSkipped: ['notes.txt'],
    });
    // The listing never strays outside the prefix to look for the outside key.
    for (const entry of s3.proxy.log.filter((logged) => logged.action === 's3:ListBucket')) expect(entry.context['s3:prefix']).toBe(PREFIX);
  });

  it('keeps what the last sync found for `dataset show`', async () => {
    const text = await cli.run('dataset', 'show', 'listed');
    expect(text.stdout).toContain('relevant filenames: 9 listed');
    expect(text.stdout).toContain('warning: 5 relevant filename(s) not found in the bucket: "cows/typo-0.jpg"');
    const details = (await cli.run('dataset', 'show', 'listed', '--json')).json<{ relevantFilenames: unknown }>();
    expect(details.relevantFilenames).toEqual({
      listed: 9,
      missing: { count: 5, first: typos },
      outside: { count: 1, first: ['projects/farm-animals-2/x.jpg'] },
      repeated: { count: 1, first: ['cows/a.jpg'] },
      skipped: { count: 1, first: ['notes.txt'] },
    });
  });
});

async function bucketKeys(): Promise<string[]> {
  const listed = await s3.seed.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'projects/barn-' }));
  return (listed.Contents ?? []).map((object) => object.Key!).sort();
}

const deletes = () => s3.proxy.log.filter((entry) => entry.action === 's3:DeleteObject');

describe('outputs of removed samples', () => {
  const thumbnailOf = (prefix: string, key: string) => `${prefix}.winnow/thumbnails/${key}_thumb.jpg`;

  it('deletes the thumbnail of a removed sample when the keys may delete, and no other object', async () => {
    const cli = cliAsS3User({ keys: farmerB, input: `s3://${BUCKET}/${BARN_B}`, endpoint: () => s3.proxy.endpoint });
    expect((await cli.create('barn', '--thumbnails')).code).toBe(0);
    expect((await cli.run('dataset', 'show', 'barn', '--json')).json()).toMatchObject({ orphanedOutputs: { deleteAllowed: null } });
    expect((await cli.run('datasource', 'verify', 'barn')).code).toBe(0);
    expect((await cli.run('dataset', 'show', 'barn', '--json')).json()).toMatchObject({ orphanedOutputs: { deleteAllowed: true } });
    expect((await cli.run('dataset', 'sync', 'barn', '--json')).json()).toMatchObject({ total: 2, thumbnails: { generated: 2 } });
    expect(await bucketKeys()).toContain(thumbnailOf(BARN_B, 'cows/gone.jpg'));

    await s3.seed.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${BARN_B}cows/gone.jpg` }));
    const before = await bucketKeys();
    s3.proxy.clearLog();
    const sync = await cli.run('dataset', 'sync', 'barn', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.json()).toMatchObject({ removed: 1, total: 1, orphanedOutputs: { deleted: 1, left: 0, reason: null } });
    expect(deletes().map((entry) => entry.resource)).toEqual([`arn:aws:s3:::${BUCKET}/${thumbnailOf(BARN_B, 'cows/gone.jpg')}`]);
    // Every other object stays: the user's own files inside and next to .winnow/, and the neighbouring folder's thumbnails of the same name.
    expect(await bucketKeys()).toEqual(before.filter((key) => key !== thumbnailOf(BARN_B, 'cows/gone.jpg')));
    expect((await cli.run('dataset', 'show', 'barn', '--json')).json()).toMatchObject({ orphanedOutputs: { count: 0, first: [], deleteAllowed: true } });
  });

  it('leaves them, lists them as orphans with the command to clean them, and cleans them once delete is granted', async () => {
    const cli = cliAsS3User({ keys: farmerA, input: `s3://${BUCKET}/${BARN_A}`, endpoint: () => s3.proxy.endpoint });
    expect((await cli.create('barn', '--thumbnails')).code).toBe(0);
    expect((await cli.run('dataset', 'sync', 'barn', '--json')).json()).toMatchObject({ total: 2, thumbnails: { generated: 2 } });
    const orphan = thumbnailOf(BARN_A, 'cows/gone.jpg');

    await s3.seed.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${BARN_A}cows/gone.jpg` }));
    const before = await bucketKeys();
    s3.proxy.clearLog();
    const sync = await cli.run('dataset', 'sync', 'barn');
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain('warning: 1 thumbnail(s) of removed samples were left in the bucket: deleting is denied');
    expect(sync.stdout).toContain('`winnow dataset clean-outputs barn`');
    expect(deletes().map((entry) => [entry.resource, entry.decision])).toEqual([[`arn:aws:s3:::${BUCKET}/${orphan}`, 'ExplicitlyDenied']]);
    expect(await bucketKeys()).toEqual(before);

    const show = await cli.run('dataset', 'show', 'barn');
    expect(show.stdout).toContain(`orphaned outputs: 1 thumbnail(s) of removed samples still in s3://${BUCKET}/${BARN_A}.winnow/ (${orphan})`);
    expect(show.stdout).toContain('the keys may not delete there; once delete is granted, run `winnow dataset clean-outputs barn`');

    // The next sync remembers the keys may not delete and asks nothing.
    s3.proxy.clearLog();
    expect((await cli.run('dataset', 'sync', 'barn', '--json')).json()).toMatchObject({ orphanedOutputs: { deleted: 0, left: 1 } });
    expect(deletes()).toEqual([]);

    const refused = await cli.run('dataset', 'clean-outputs', 'barn', '--json');
    expect(refused.json()).toMatchObject({ deleted: 0, left: 1 });
    expect(await bucketKeys()).toEqual(before);

    s3.proxy.addUser(user(farmerA.accessKeyId, referencePolicy(BUCKET, BARN_A)));
    const cleaned = await cli.run('dataset', 'clean-outputs', 'barn');
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(cleaned.stdout).toContain('Deleted 1 thumbnail(s) of removed samples');
    expect(await bucketKeys()).toEqual(before.filter((key) => key !== orphan));
    expect((await cli.run('dataset', 'show', 'barn', '--json')).json()).toMatchObject({ orphanedOutputs: { count: 0, deleteAllowed: true } });
  });
});

/**
 * Turns the thumbnails `winnow thumbnails --size 256` just made into what an earlier version wrote:
 * `<key>_thumb.webp` objects, recorded as such in the catalog.
 */
async function makeLegacyThumbnails(cli: CliUser, dataset: string): Promise<string[]> {
  expect((await cli.run('thumbnails', dataset, '--size', '256', '--json')).json()).toMatchObject({ generated: 2, failed: 0 });
  const database = await openDatabase({ home: cli.home, databaseUrl: undefined });
  try {
    const rows = await database.db.selectFrom('thumbnails').select(['sample_id', 'key']).where('status', '=', 'ok').execute();
    const legacy: string[] = [];
    for (const row of rows) {
      const jpeg = await s3.seed.send(new GetObjectCommand({ Bucket: BUCKET, Key: row.key! }));
      const webp = await sharp(Buffer.from(await jpeg.Body!.transformToByteArray()))
        .webp({ quality: 80 })
        .toBuffer();
      const key = row.key!.replace(/_thumb\.jpg$/, '_thumb.webp');
      await s3.seed.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: webp, ContentType: 'image/webp' }));
      await s3.seed.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: row.key! }));
      await database.db.updateTable('thumbnails').set({ key }).where('sample_id', '=', row.sample_id).execute();
      legacy.push(key);
    }
    return legacy.sort();
  } finally {
    await database.close();
  }
}

async function thumbnailKeys(prefix: string): Promise<string[]> {
  const listed = await s3.seed.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}.winnow/thumbnails/` }));
  return (listed.Contents ?? [])
    .map((object) => object.Key!)
    .filter((key) => !key.endsWith('README.txt'))
    .sort();
}

async function objectFormat(key: string): Promise<{ contentType: string | undefined; format: string | undefined; width: number | undefined }> {
  const object = await s3.seed.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const metadata = await sharp(Buffer.from(await object.Body!.transformToByteArray())).metadata();
  return { contentType: object.ContentType, format: metadata.format, width: metadata.width };
}

describe('thumbnails made as 256 px WebP by an earlier version', () => {
  it('remakes them as 400 px JPEG and deletes each WebP replaced, so clean-outputs finds nothing left and keeps the new ones', async () => {
    const cli = cliAsS3User({ keys: farmerC, input: `s3://${BUCKET}/${BARN_C}`, endpoint: () => s3.proxy.endpoint });
    expect((await cli.create('barn')).code).toBe(0);
    expect((await cli.run('dataset', 'sync', 'barn')).code).toBe(0);
    const legacy = await makeLegacyThumbnails(cli, 'barn');
    expect(await thumbnailKeys(BARN_C)).toEqual(legacy);

    s3.proxy.clearLog();
    expect((await cli.run('thumbnails', 'barn', '--json')).json()).toMatchObject({ size: 400, generated: 2, skipped: 0, failed: 0 });
    expect(
      deletes()
        .map((entry) => [entry.resource, entry.decision])
        .sort(),
    ).toEqual(legacy.map((key) => [`arn:aws:s3:::${BUCKET}/${key}`, 'Allowed']));
    const current = [`${BARN_C}.winnow/thumbnails/cows/cat.jpg_thumb.jpg`, `${BARN_C}.winnow/thumbnails/cows/chelsea.jpg_thumb.jpg`];
    expect(await thumbnailKeys(BARN_C)).toEqual(current);
    expect(await objectFormat(current[1]!)).toEqual({ contentType: 'image/jpeg', format: 'jpeg', width: 266 });

    expect((await cli.run('dataset', 'show', 'barn', '--json')).json()).toMatchObject({ orphanedOutputs: { count: 0, first: [], deleteAllowed: true } });
    s3.proxy.clearLog();
    expect((await cli.run('dataset', 'clean-outputs', 'barn', '--json')).json()).toMatchObject({ deleted: 0, left: 0 });
    expect(deletes()).toEqual([]);
    expect(await thumbnailKeys(BARN_C)).toEqual(current);
  });

  it('rewrites them in place as 400 px WebP when the keys may not delete, after one denied delete, leaving no orphan behind', async () => {
    const cli = cliAsS3User({ keys: farmerD, input: `s3://${BUCKET}/${BARN_D}`, endpoint: () => s3.proxy.endpoint });
    expect((await cli.create('barn')).code).toBe(0);
    expect((await cli.run('dataset', 'sync', 'barn')).code).toBe(0);
    const legacy = await makeLegacyThumbnails(cli, 'barn');

    s3.proxy.clearLog();
    expect((await cli.run('thumbnails', 'barn', '--json')).json()).toMatchObject({ size: 400, generated: 2, failed: 0 });
    expect(deletes().map((entry) => entry.decision)).toEqual(['ExplicitlyDenied']);
    expect(await thumbnailKeys(BARN_D)).toEqual(legacy);
    expect(await objectFormat(`${BARN_D}.winnow/thumbnails/cows/chelsea.jpg_thumb.webp`)).toEqual({ contentType: 'image/webp', format: 'webp', width: 266 });
    const samples = (await cli.run('samples', 'list', 'barn', '--json')).json<Array<{ key: string; thumbnail: { key: string; width: number } | null }>>();
    expect(samples.map((sample) => [sample.key, sample.thumbnail?.key, sample.thumbnail?.width])).toEqual([
      ['cows/cat.jpg', `${BARN_D}.winnow/thumbnails/cows/cat.jpg_thumb.webp`, 96],
      ['cows/chelsea.jpg', `${BARN_D}.winnow/thumbnails/cows/chelsea.jpg_thumb.webp`, 266],
    ]);
    expect((await cli.run('dataset', 'show', 'barn', '--json')).json()).toMatchObject({ orphanedOutputs: { count: 0, deleteAllowed: false } });

    s3.proxy.clearLog();
    expect((await cli.run('dataset', 'clean-outputs', 'barn', '--json')).json()).toMatchObject({ deleted: 0, left: 0 });
    expect((await cli.run('thumbnails', 'barn', '--json')).json()).toMatchObject({ generated: 0, skipped: 2 });
    expect(deletes()).toEqual([]);
    expect(await thumbnailKeys(BARN_D)).toEqual(legacy);
  });
});

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuplicatesReport } from '../src/workflows/find-duplicates.js';
import { freshHome, runCli } from './support/cli.js';
import { referencePolicy } from './support/policies.js';
import { startPolicyProxy, type PolicyProxy } from './support/s3-policy-proxy.js';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from './support/s3-server.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const PHOTOS = resolve(import.meta.dirname, 'fixtures/photos');
const photos = readdirSync(PHOTOS)
  .filter((name) => name.endsWith('.jpg'))
  .sort();
const photo = (name: string) => readFileSync(resolve(PHOTOS, name));
const user = { accessKeyId: 'AKIADUPLICATES000001', secretAccessKey: 'secret-of-duplicates-wJalrXUtnFEMI', policy: referencePolicy(BUCKET, PREFIX) };

let server: S3Server;
let proxy: PolicyProxy;
let seed: S3Client;

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  proxy = await startPolicyProxy({ upstream: server.endpoint, users: [user] });
  seed = createS3rverClient(server.endpoint);
  const chelsea = photo('chelsea.jpg');
  const coffee = photo('coffee.jpg');
  const { width, height } = await sharp(chelsea).metadata();
  await putObjects(seed, BUCKET, [
    ...photos.map((name) => ({ key: `${PREFIX}photos/${name}`, body: photo(name) })),
    // Near-duplicates made from real photos: the source has the most pixels (chelsea); the PNG copy has as many and more bytes (coffee).
    {
      key: `${PREFIX}made/chelsea-half.jpg`,
      body: await sharp(chelsea)
        .resize(Math.round(width / 2))
        .jpeg({ quality: 90 })
        .toBuffer(),
    },
    {
      key: `${PREFIX}made/chelsea-crop.jpg`,
      body: await sharp(chelsea)
        .extract({ left: Math.round(width * 0.05), top: Math.round(height * 0.05), width: Math.round(width * 0.9), height: Math.round(height * 0.9) })
        .jpeg({ quality: 90 })
        .toBuffer(),
    },
    { key: `${PREFIX}made/chelsea-q30.jpg`, body: await sharp(chelsea).jpeg({ quality: 30 }).toBuffer() },
    { key: `${PREFIX}made/coffee.png`, body: await sharp(coffee).png().toBuffer() },
    { key: `${PREFIX}made/coffee-brighter.jpg`, body: await sharp(coffee).linear(1.2, 0).jpeg({ quality: 90 }).toBuffer() },
    // Byte-identical copies: same size, same MD5 etag.
    { key: `${PREFIX}copies/astronaut.jpg`, body: photo('astronaut.jpg') },
    { key: `${PREFIX}copies/rocket.jpg`, body: photo('rocket.jpg') },
  ]);
}, 120_000);
afterAll(async () => {
  seed?.destroy();
  await proxy?.stop();
  await server?.stop();
});

describe('winnow duplicates through s3rver behind the policy proxy', () => {
  const env = { WINNOW_HOME: freshHome(), WINNOW_EMBED_THREADS: '1' };
  const cli = (...args: string[]) => runCli(args, { env, timeoutMs: 180_000 });

  it('names `winnow embed` before there are vectors, then groups exact copies and made near-duplicates and keeps the best of each', async () => {
    const created = await runCli(
      [
        'dataset',
        'create',
        'farm',
        '--input',
        `s3://${BUCKET}/${PREFIX}`,
        '--endpoint',
        proxy.endpoint,
        '--path-style',
        '--access-key-id',
        user.accessKeyId,
        '--secret-access-key-stdin',
      ],
      { env, stdin: `${user.secretAccessKey}\n` },
    );
    expect(created.code, created.stderr).toBe(0);
    expect((await cli('dataset', 'sync', 'farm')).code).toBe(0);
    const early = await cli('duplicates', 'farm');
    expect(early.code).toBe(3);
    expect(early.stderr).toContain('winnow embed farm');

    const embedded = await cli('embed', 'farm');
    expect(embedded.code, embedded.stderr).toBe(0);

    const found = await cli('duplicates', 'farm', '--json');
    expect(found.code, found.stderr).toBe(0);
    const report = found.json<DuplicatesReport>();
    expect(report.threshold).toBe(0.2);
    expect(report.samples).toBe(photos.length + 7);
    // Every etag is an MD5: nothing was read to hash.
    expect(report.hashed).toBe(0);
    const groups = report.groups.map((group) => ({ keep: group.keep, keys: [...group.keys].sort() }));
    expect(groups).toEqual(
      expect.arrayContaining([
        { keep: 'photos/chelsea.jpg', keys: ['made/chelsea-crop.jpg', 'made/chelsea-half.jpg', 'made/chelsea-q30.jpg', 'photos/chelsea.jpg'] },
        { keep: 'made/coffee.png', keys: ['made/coffee-brighter.jpg', 'made/coffee.png', 'photos/coffee.jpg'] },
        { keep: 'copies/astronaut.jpg', keys: ['copies/astronaut.jpg', 'photos/astronaut.jpg'] },
        { keep: 'copies/rocket.jpg', keys: ['copies/rocket.jpg', 'photos/rocket.jpg'] },
      ]),
    );
    // Nothing else: the other real photos are distinct.
    expect(groups).toHaveLength(4);
    for (const group of report.groups) expect(group.keys[0]).toBe(group.keep);
    expect(report.groups.find((group) => group.keep === 'copies/rocket.jpg')!.maxDistance).toBe(0);
    expect(report.duplicates).toBe(7);

    const human = await cli('duplicates', 'farm');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('4 groups of duplicates in "farm": 7 of 18 samples');
    expect(human.stdout).toMatch(/keep {2}photos\/chelsea\.jpg\n {2}drop {2}made\/chelsea-crop\.jpg/);
  }, 600_000);

  it('tags every sample but the kept ones, refusing a tag in use unless --replace or --append', async () => {
    const tagged = await cli('duplicates', 'farm', '--tag', 'drop-these', '--json');
    expect(tagged.code, tagged.stderr).toBe(0);
    const report = tagged.json<DuplicatesReport>();
    expect(report).toMatchObject({ tag: 'drop-these', tagSize: 7 });
    const shown = (await cli('tags', 'show', 'farm', 'drop-these', '--json')).json<{ keys: string[] }>();
    expect([...shown.keys].sort()).toEqual(report.groups.flatMap((group) => group.keys.filter((key) => key !== group.keep)).sort());
    expect(shown.keys).not.toContain('photos/chelsea.jpg');

    const again = await cli('duplicates', 'farm', '--tag', 'drop-these');
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('already has a tag named "drop-these"');
    const replaced = await cli('duplicates', 'farm', '--tag', 'drop-these', '--replace', '--json');
    expect(replaced.code).toBe(0);
    expect(replaced.json<DuplicatesReport>().tagSize).toBe(7);

    const strict = await cli('duplicates', 'farm', '--threshold', '0', '--json');
    expect(strict.code).toBe(0);
    // At distance 0 only the byte-identical copies (and a PNG copy, whose pixels are the same) can remain.
    expect(strict.json<DuplicatesReport>().groups.map((group) => group.keep)).toEqual(expect.arrayContaining(['copies/astronaut.jpg', 'copies/rocket.jpg']));
    const bad = await cli('duplicates', 'farm', '--threshold', 'close');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threshold must be a number');
  }, 300_000);

  it('hashes the content where etags are not MD5s (a local folder), once', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'winnow-duplicates-e2e-'));
    try {
      for (const name of ['rocket.jpg', 'chelsea.jpg', 'grass.jpg']) cpSync(join(PHOTOS, name), join(folder, name));
      cpSync(join(PHOTOS, 'rocket.jpg'), join(folder, 'rocket-copy.jpg'));
      expect((await cli('dataset', 'create', 'folder', '--input', folder)).code).toBe(0);
      expect((await cli('dataset', 'sync', 'folder')).code).toBe(0);
      expect((await cli('embed', 'folder')).code).toBe(0);
      const first = (await cli('duplicates', 'folder', '--json')).json<DuplicatesReport>();
      // Files carry size-mtime etags: the two same-size files were read and hashed.
      expect(first.hashed).toBe(2);
      expect(first.groups).toEqual([{ keys: ['rocket-copy.jpg', 'rocket.jpg'], keep: 'rocket-copy.jpg', maxDistance: 0 }]);
      const second = (await cli('duplicates', 'folder', '--json')).json<DuplicatesReport>();
      expect(second.hashed).toBe(0);
      expect(second.groups).toEqual(first.groups);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 300_000);
});

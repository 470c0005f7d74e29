/**
 * S3-compatible presets through the CLI. MinIO is not available here, so s3rver stands in for it
 * (the preset's path style and region rules are what is tested); R2, Wasabi and B2 endpoints are
 * only checked as the URLs Winnow would call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../src/api/schemas.js';
import { freshHome, runCli } from './support/cli.js';
import { createS3rverClient, putObjects, startS3Server, type S3Server } from './support/s3-server.js';

let server: S3Server;

beforeAll(async () => {
  server = await startS3Server({ buckets: ['photos'] });
  await putObjects(createS3rverClient(server.endpoint), 'photos', [{ key: 'farm/cow.jpg', body: 'not really a jpeg' }]);
});
afterAll(() => server?.stop());

describe('dataset create --preset', () => {
  it('connects a MinIO-style store (s3rver standing in) path-style, and verifies it', async () => {
    const env = { WINNOW_HOME: freshHome(), WINNOW_SECRET_ACCESS_KEY: 'minio-secret' };
    const created = await runCli(
      ['dataset', 'create', 'farm', '--input', 's3://photos/farm/', '--preset', 'minio', '--endpoint', server.endpoint, '--access-key-id', 'S3RVER'],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('s3://photos/farm/ (minio)');
    const shown = (await runCli(['dataset', 'show', 'farm', '--json'], { env })).json<{ input: { preset: string; pathStyle: boolean; region: string } }>();
    expect(shown.input).toMatchObject({ preset: 'minio', pathStyle: true, region: 'us-east-1' });
    expect((await runCli(['datasource', 'verify', 'farm', '--json'], { env })).json<VerifyReport>().mode).toBe('full');
  });

  it("fills in R2's endpoint from --account-id", async () => {
    const env = { WINNOW_HOME: freshHome(), WINNOW_SECRET_ACCESS_KEY: 'r2-secret' };
    const created = await runCli(
      [
        'dataset',
        'create',
        'farm',
        '--input',
        's3://photos/farm/',
        '--preset',
        'r2',
        '--account-id',
        '0123456789abcdef0123456789abcdef',
        '--access-key-id',
        'r2key',
        '--json',
      ],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.json<{ input: { endpoint: string; region: string } }>().input).toMatchObject({
      endpoint: 'https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com',
      region: 'auto',
    });
  });

  it('says what a preset is missing, all at once', async () => {
    const result = await runCli(['dataset', 'create', 'farm', '--input', 's3://photos/farm/', '--preset', 'r2', '--sse-kms-key-id', 'alias/winnow'], {
      env: { WINNOW_HOME: freshHome() },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('preset r2 needs the account id (--account-id)');
    expect(result.stderr).toContain('Cloudflare R2 does not support SSE-KMS');
  });
});

describe('policy generate --preset', () => {
  it("prints MinIO's policy on stdout and how to attach it on stderr", async () => {
    const result = await runCli(['policy', 'generate', '--preset', 'minio', '--input', 's3://photos/farm/', '--write']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<{ Statement: Array<{ Action: string }> }>().Statement.map((statement) => statement.Action)).toEqual([
      's3:ListBucket',
      's3:GetObject',
      's3:PutObject',
    ]);
    expect(result.stderr).toContain('note: mc admin policy create <alias> winnow-dataset policy.json');
  });

  it('prints a B2 key scope instead of a policy', async () => {
    const result = await runCli(['policy', 'generate', '--preset', 'b2', '--input', 's3://photos/farm/', '--write', '--delete']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<{ store: string; applicationKey: { namePrefix: string } }>()).toMatchObject({ store: 'b2', applicationKey: { namePrefix: 'farm/' } });
  });

  it('prints the GCS recipe for gs://', async () => {
    const result = await runCli(['policy', 'generate', '--input', 'gs://photos/farm/', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<{ recipe: { store: string } }>().recipe.store).toBe('gcs');
  });
});

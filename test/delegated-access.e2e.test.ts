import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assumeRoleCredentials } from '../src/datasources/aws-credentials.js';
import { createS3ObjectStore } from '../src/datasources/s3.object-store.js';
import { freshHome, runCli } from './support/cli.js';
import { prefixConditionPolicy, readOnlyPolicy } from './support/policies.js';
import { fixtureImage, startSeededS3, underPrefix, type SeededS3 } from './support/s3-fixture.js';
import type { PolicyProxy } from './support/s3-policy-proxy.js';
import { startStsServer, type StsServer } from './support/sts-server.js';

const BUCKET = 'datalake';
const PREFIX = 'projects/farm-animals/';
const BASE = { accessKeyId: 'AKIAWINNOWSERVICE001', secretAccessKey: 'winnow-own-base-secret' };
const EXTERNAL_ID = 'winnow-7f3a9c2e41';
const ROLE = 'arn:aws:iam::123456789012:role/WinnowFarmAnimals';
const SHORT_ROLE = 'arn:aws:iam::123456789012:role/WinnowShortSessions';
const READ_ONLY_ROLE = 'arn:aws:iam::123456789012:role/WinnowReadOnly';
const CAT = fixtureImage('cat.jpg');
const KEYS = Array.from({ length: 30 }, (_, i) => `cows/cow-${String(i).padStart(3, '0')}.jpg`);

let s3: SeededS3;
let proxy: PolicyProxy;
let sts: StsServer;

beforeAll(async () => {
  s3 = await startSeededS3({
    buckets: [BUCKET],
    objects: { [BUCKET]: { ...underPrefix(PREFIX, Object.fromEntries(KEYS.map((key) => [key, CAT]))), 'projects/other/x.jpg': CAT } },
  });
  proxy = s3.proxy;
  sts = await startStsServer({
    proxy,
    baseUsers: [BASE],
    roles: [
      { roleArn: ROLE, trustedAccessKeyIds: [BASE.accessKeyId], externalId: EXTERNAL_ID, policy: prefixConditionPolicy(BUCKET, PREFIX) },
      {
        roleArn: SHORT_ROLE,
        trustedAccessKeyIds: [BASE.accessKeyId],
        externalId: EXTERNAL_ID,
        policy: prefixConditionPolicy(BUCKET, PREFIX),
        maxSessionSeconds: 2,
      },
      {
        roleArn: READ_ONLY_ROLE,
        trustedAccessKeyIds: [BASE.accessKeyId],
        externalId: EXTERNAL_ID,
        policy: readOnlyPolicy(BUCKET, PREFIX),
        maxSessionSeconds: 120,
      },
    ],
  });
});

afterAll(async () => {
  await sts?.stop();
  await s3?.stop();
});

/** Winnow's own identity comes from the standard AWS chain (here: the environment), never from the dataset. */
function winnow(extraEnv: Record<string, string> = {}) {
  const env = {
    WINNOW_HOME: freshHome(),
    WINNOW_STS_ENDPOINT: sts.endpoint,
    AWS_ACCESS_KEY_ID: BASE.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BASE.secretAccessKey,
    ...extraEnv,
  };
  return {
    run: (...args: string[]) => runCli(args, { env }),
    create: (name: string, roleArn: string, ...extra: string[]) =>
      runCli(
        ['dataset', 'create', name, '--input', `s3://${BUCKET}/${PREFIX}`, '--endpoint', proxy.endpoint, '--path-style', '--role-arn', roleArn, ...extra],
        { env },
      ),
  };
}

interface VerifyJson {
  checks: Record<string, { ok: boolean; message?: string; fix?: string }>;
}

describe('delegated access with an IAM role and an external ID', () => {
  it('assumes the role with the external ID and a Winnow session name, then verifies and syncs', async () => {
    const cli = winnow();
    const created = await cli.create('farm', ROLE, '--external-id', EXTERNAL_ID, '--role-session-duration', '7200');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`role ${ROLE}`);
    const verify = await cli.run('datasource', 'verify', 'farm', '--json');
    expect(verify.code, verify.stdout).toBe(0);
    const checks = verify.json<VerifyJson>().checks;
    expect(Object.fromEntries(Object.entries(checks).map(([light, check]) => [light, check.ok]))).toEqual({
      list: true,
      read: true,
      write: true,
      overwrite: true,
      delete: true,
    });
    const issued = sts.calls.filter((call) => call.outcome === 'issued');
    expect(issued.at(-1)).toMatchObject({ callerAccessKeyId: BASE.accessKeyId, roleArn: ROLE, externalId: EXTERNAL_ID, durationSeconds: 7200 });
    expect(issued.at(-1)!.sessionName).toMatch(/^winnow-farm-/);

    const sync = await cli.run('dataset', 'sync', 'farm', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.json()).toMatchObject({ added: KEYS.length, total: KEYS.length, failed: 0 });
    expect(proxy.denied()).toEqual([]);
  });

  it('names the role, the action and the trust-policy fix when the external ID is wrong', async () => {
    const cli = winnow();
    await cli.create('farm', ROLE, '--external-id', 'not-the-right-one');
    const verify = await cli.run('datasource', 'verify', 'farm', '--json');
    expect(verify.code).toBe(4);
    const list = verify.json<VerifyJson>().checks.list!;
    expect(list.ok).toBe(false);
    expect(list.message).toContain(`STS AssumeRole of ${ROLE} was denied`);
    expect(list.fix).toContain('sts:ExternalId "not-the-right-one"');
    expect(sts.calls.at(-1)).toMatchObject({ outcome: 'AccessDenied', externalId: 'not-the-right-one' });
  });

  it('says Winnow has no base credentials instead of probing the network', async () => {
    const cli = winnow({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent' });
    await cli.create('farm', ROLE, '--external-id', EXTERNAL_ID);
    const sync = await cli.run('dataset', 'sync', 'farm');
    expect(sync.code).toBe(4);
    expect(sync.stderr).toContain(`Winnow has no base AWS credentials to assume ${ROLE}`);
  });

  it("prints the role's trust policy for the bucket owner", async () => {
    const printed = await runCli(['policy', 'generate', '--trust', '--principal', 'arn:aws:iam::111122223333:user/winnow', '--external-id', EXTERNAL_ID]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.json()).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:user/winnow' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
        },
      ],
    });
    const missing = await runCli(['policy', 'generate', '--trust', '--principal', 'arn:aws:iam::111122223333:user/winnow']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--trust needs --principal');
  });

  it('rejects malformed role ARNs and short external IDs before any call', async () => {
    const cli = winnow();
    const callsBefore = sts.calls.length;
    const badArn = await cli.create('farm', 'arn:aws:iam::12345:user/Bob', '--external-id', EXTERNAL_ID);
    expect(badArn.code).toBe(2);
    expect(badArn.stderr).toContain('must look like arn:aws:iam::123456789012:role/');
    const shortId = await cli.create('farm', ROLE, '--external-id', 'abc');
    expect(shortId.code).toBe(2);
    expect(shortId.stderr).toContain('at least 10 characters (got 3)');
    const longSession = await cli.create('farm', ROLE, '--role-session-duration', '86400');
    expect(longSession.stderr).toContain('900 to 43200 seconds');
    expect(sts.calls.length).toBe(callsBefore);
  });

  it('refreshes the role session before it expires during a long sync', async () => {
    const cli = winnow({ WINNOW_PROBE_CONCURRENCY: '2' });
    await cli.create('farm', SHORT_ROLE, '--external-id', EXTERNAL_ID);
    const before = sts.calls.filter((call) => call.roleArn === SHORT_ROLE && call.outcome === 'issued').length;
    proxy.clearLog();
    const sync = await cli.run('dataset', 'sync', 'farm', '--json');
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.json()).toMatchObject({ total: KEYS.length, failed: 0 });
    expect(sts.calls.filter((call) => call.roleArn === SHORT_ROLE && call.outcome === 'issued').length - before).toBeGreaterThan(1);
    expect(proxy.log.filter((entry) => entry.decision === 'ExpiredToken')).toEqual([]);
  });

  it("caps presigned URLs at the role session's remaining lifetime", async () => {
    const store = createS3ObjectStore({
      bucket: BUCKET,
      region: 'us-east-1',
      endpoint: proxy.endpoint,
      pathStyle: true,
      credentials: assumeRoleCredentials({
        roleArn: READ_ONLY_ROLE,
        externalId: EXTERNAL_ID,
        sessionSeconds: 3600,
        sessionName: 'winnow-presign-test',
        region: 'us-east-1',
        stsEndpoint: sts.endpoint,
        connectTimeoutMs: 2_000,
        requestTimeoutMs: 10_000,
        baseCredentials: BASE,
      }),
      identity: READ_ONLY_ROLE,
      sseKmsKeyId: undefined,
      writablePrefix: undefined,
      maxAttempts: 1,
      connectTimeoutMs: 2_000,
      requestTimeoutMs: 10_000,
      callDeadlineMs: 30_000,
      endpointRules: { privateAddresses: true, linkLocalAddresses: false },
    });
    const url = new URL((await store.presignGet(`${PREFIX}${KEYS[0]}`, 900)).url);
    const expiresIn = Number(url.searchParams.get('X-Amz-Expires'));
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(120 - 30);
    expect(url.searchParams.get('X-Amz-Security-Token')).toBeTruthy();
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(CAT)).toBe(true);
  });
});

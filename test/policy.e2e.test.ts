import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cliAsS3User, runCli } from './support/cli.js';
import { readOnlyPolicy, referencePolicy } from './support/policies.js';
import { fixtureImage, proxyUser, startSeededS3, type SeededS3 } from './support/s3-fixture.js';
import type { PolicyProxy } from './support/s3-policy-proxy.js';

const BUCKET = 'datalake';
const RESULTS_BUCKET = 'results';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const image = fixtureImage('cat.jpg');

type Light = 'list' | 'read' | 'write' | 'overwrite' | 'delete';
interface VerifyJson {
  checks: Record<Light, { ok: boolean; skipped: boolean }>;
  policy?: {
    findings: Array<{ code: string }>;
    promised: Record<Light, { ok: boolean }>;
    differences: Array<{ light: Light; promised: boolean; observed: boolean; explanation: string }>;
  };
}
interface GeneratedJson {
  policy: object;
  lights: Record<Light, boolean>;
}
interface CheckJson {
  checks: Record<Light, { ok: boolean }>;
  findings: Array<{ code: string; severity: string; statement?: string; field?: string; message: string; line?: number; column?: number }>;
  tightenedPolicy: object | null;
}

let s3: SeededS3;
let proxy: PolicyProxy;
let userCount = 0;
const workDir = mkdtempSync(join(tmpdir(), 'winnow-policy-'));

beforeAll(async () => {
  const keys = [
    'projects/farm-animals/cows/cow-001.jpg',
    'projects/farm-animals/pigs/pig.jpg',
    'projects/farm-animals-2/intruder.jpg',
    'projects/other/intruder.jpg',
    'root.jpg',
  ];
  s3 = await startSeededS3({
    buckets: [BUCKET, RESULTS_BUCKET],
    objects: { [BUCKET]: Object.fromEntries(keys.map((key) => [key, image])), [RESULTS_BUCKET]: { 'other-results/report.txt': 'not for Winnow' } },
  });
  proxy = s3.proxy;
});

afterAll(async () => s3?.stop());

beforeEach(() => proxy.clearLog());

/** A proxy user holding `policy`, with a catalog of its own. */
function newUser(policy: object) {
  const user = proxyUser(`AKIAPOLICYUSER${String(++userCount).padStart(6, '0')}`, policy);
  proxy.addUser(user);
  const cli = cliAsS3User({ keys: user, input: INPUT, endpoint: () => proxy.endpoint });
  return {
    user,
    run: cli.run,
    create: (...extra: string[]) => cli.create('farm', ...extra),
    s3: new S3Client({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1,
    }),
  };
}

async function generate(...flags: string[]): Promise<GeneratedJson> {
  const result = await runCli(['policy', 'generate', '--input', INPUT, ...flags, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return result.json<GeneratedJson>();
}

function writePolicyFile(name: string, content: object | string): string {
  const path = join(workDir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** The HTTP status of an S3 call: 200 when it worked. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1;
  }
}

const lightsOf = (checks: Record<Light, { ok: boolean }>) => Object.fromEntries(Object.entries(checks).map(([light, check]) => [light, check.ok]));

describe('a user holding a generated policy', () => {
  const READ = { list: true, read: true, write: false, overwrite: false, delete: false };
  const WRITE = { ...READ, write: true, overwrite: true };
  const ALL = { ...WRITE, delete: true };
  const variants: Array<[string, string[], string[], Record<Light, boolean>]> = [
    ['read-only', [], [], READ],
    ['--write', ['--write'], [], WRITE],
    ['--write --delete', ['--write', '--delete'], [], ALL],
    [
      '--write --delete with the output in another bucket',
      ['--output', `s3://${RESULTS_BUCKET}/farm/`, '--write', '--delete'],
      ['--output', `s3://${RESULTS_BUCKET}/farm/`],
      ALL,
    ],
    ['--write from an allowed source IP', ['--write', '--source-ip', '127.0.0.1/32'], [], WRITE],
  ];

  it.each(variants)('%s gets exactly the lights it promises', async (_, flags, createFlags, expected) => {
    const { policy, lights } = await generate(...flags);
    // The promise is checked against the flags, not trusted: the same checker made it.
    expect(lights).toEqual(expected);
    const cli = newUser(policy);
    expect((await cli.create(...createFlags)).code).toBe(0);
    const verify = await cli.run('datasource', 'verify', 'farm', '--json');
    expect(verify.code, verify.stderr).toBe(0);
    expect(lightsOf(verify.json<VerifyJson>().checks)).toEqual(expected);
    const denied = proxy.denied().map((entry) => entry.action);
    expect(denied).toEqual(!lights.write ? ['s3:PutObject'] : !lights.delete ? ['s3:DeleteObject'] : []);
    cli.s3.destroy();
  });

  it.each(variants)('%s can do nothing more, even with its keys in hand', async (_, flags) => {
    const { policy } = await generate(...flags);
    const { s3 } = newUser(policy);
    const list = (Bucket: string, Prefix?: string) => statusOf(s3.send(new ListObjectsV2Command({ Bucket, Prefix })));
    expect(await list(BUCKET, PREFIX)).toBe(200);
    expect(await list(BUCKET)).toBe(403);
    expect(await list(BUCKET, 'projects/farm-animals-2/')).toBe(403);
    expect(await list(BUCKET, 'projects/farm-animals')).toBe(403);
    expect(await list(BUCKET, 'projects/')).toBe(403);
    expect(await list(RESULTS_BUCKET)).toBe(403);
    expect(await statusOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'projects/farm-animals-2/intruder.jpg' })))).toBe(403);
    expect(await statusOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'root.jpg' })))).toBe(403);
    expect(await statusOf(s3.send(new GetObjectCommand({ Bucket: RESULTS_BUCKET, Key: 'other-results/report.txt' })))).toBe(403);
    expect(await statusOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}cows/cow-001.jpg`, Body: 'overwritten' })))).toBe(403);
    expect(await statusOf(s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}cows/cow-001.jpg` })))).toBe(403);
    expect(await statusOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'projects/farm-animals-2/.winnow/x.txt', Body: 'x' })))).toBe(403);
    s3.destroy();
  });

  it('from a source IP the policy does not allow gets nothing', async () => {
    const { policy } = await generate('--write', '--source-ip', '203.0.113.0/24');
    const cli = newUser(policy);
    await cli.create();
    const verify = await cli.run('datasource', 'verify', 'farm', '--json');
    expect(verify.code).toBe(4);
    expect(lightsOf(verify.json<VerifyJson>().checks)).toMatchObject({ list: false, read: false });
    cli.s3.destroy();
  });
});

describe('winnow policy generate', () => {
  it('needs no catalog: nothing is created under the home folder', async () => {
    const home = join(workDir, 'never-created');
    const result = await runCli(['policy', 'generate', '--input', INPUT, '--write'], { env: { WINNOW_HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ Version: '2012-10-17' });
    expect(existsSync(home)).toBe(false);
  });

  it('asks for a key ARN when given a KMS alias', async () => {
    const result = await runCli(['policy', 'generate', '--input', INPUT, '--write', '--sse-kms-key-id', 'alias/winnow']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"alias/winnow" is not a KMS key ARN');
    expect(result.stderr).toContain('fix: Give arn:aws:kms:<region>:<account>:key/<key-id>');
  });

  it('refuses a local folder', async () => {
    const result = await runCli(['policy', 'generate', '--input', workDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is a local folder; IAM policies only apply to S3 locations');
  });
});

describe('winnow policy check', () => {
  it("reports the reference policy's flaws with --json, grants all five lights and exits 1", async () => {
    const file = writePolicyFile('reference.json', referencePolicy(BUCKET, PREFIX));
    const result = await runCli(['policy', 'check', file, '--input', INPUT, '--json']);
    expect(result.code).toBe(1);
    const check = result.json<CheckJson>();
    expect(lightsOf(check.checks)).toEqual({ list: true, read: true, write: true, overwrite: true, delete: true });
    expect(check.findings.map((finding) => finding.code)).toEqual(
      expect.arrayContaining(['bucket-wide-listing', 'ineffective-resource', 'broad-action', 'delete-allowed-on-input']),
    );
    expect(check.findings.find((finding) => finding.code === 'bucket-wide-listing')).toMatchObject({ severity: 'error', statement: 'VisualEditor0' });

    const tightened = writePolicyFile('tightened.json', check.tightenedPolicy as object);
    const again = await runCli(['policy', 'check', tightened, '--input', INPUT, '--json']);
    expect(again.code).toBe(0);
    expect(again.json<CheckJson>().findings).toEqual([]);
  });

  it('prints lights, findings and the tightened policy for people, reading the policy from stdin', async () => {
    const result = await runCli(['policy', 'check', '-', '--input', INPUT], { stdin: JSON.stringify(referencePolicy(BUCKET, PREFIX)) });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('[ok  ] list      s3:ListBucket on arn:aws:s3:::datalake (prefix "projects/farm-animals/"): granted by VisualEditor0');
    expect(result.stdout).toMatch(/error {3}bucket-wide-listing {2}\(VisualEditor0 › Condition\)/);
    expect(result.stdout).toContain('Tightened policy (grants list, read, write, overwrite, delete; no findings):');
  });

  it('says where malformed JSON breaks, without a stack trace, and exits 2', async () => {
    const file = writePolicyFile(
      'malformed.json',
      '{\n  "Version": "2012-10-17",\n  "Statement": [\n    { "Effect": "Allow" "Action": "s3:GetObject" }\n  ]\n}\n',
    );
    const human = await runCli(['policy', 'check', file, '--input', INPUT]);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain(`error: ${file}: The policy is not valid JSON: line 4, column 25`);
    expect(human.stderr).not.toMatch(/\n\s+at /);
    const json = await runCli(['policy', 'check', file, '--input', INPUT, '--json']);
    expect(json.code).toBe(2);
    expect(json.json<CheckJson>()).toMatchObject({ findings: [{ code: 'invalid-json', line: 4, column: 25 }], tightenedPolicy: null });
  });

  it('says so when the file is missing', async () => {
    const result = await runCli(['policy', 'check', join(workDir, 'nope.json'), '--input', INPUT]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.json": it does not exist.');
  });
});

describe('winnow datasource verify --policy', () => {
  it('flags a light the policy file grants but the probes were denied', async () => {
    const cli = newUser(readOnlyPolicy(BUCKET, PREFIX));
    await cli.create();
    const file = writePolicyFile('promises-writes.json', (await generate('--write', '--delete')).policy);
    const verify = await cli.run('datasource', 'verify', 'farm', '--policy', file, '--json');
    expect(verify.code, verify.stderr).toBe(0);
    const report = verify.json<VerifyJson>();
    expect(report.policy?.findings).toEqual([]);
    expect(lightsOf(report.policy!.promised)).toEqual({ list: true, read: true, write: true, overwrite: true, delete: true });
    expect(report.policy?.differences).toEqual([
      { light: 'write', promised: true, observed: false, explanation: expect.stringContaining('a bucket policy, an SCP or RCP, a permissions boundary') },
    ]);

    const human = await cli.run('datasource', 'verify', 'farm', '--policy', file);
    expect(human.stdout).toContain('[DIFF] write     policy: granted, probe: failed');
    cli.s3.destroy();
  });

  it("flags lights the probes found that the policy file does not grant, and the file's own findings", async () => {
    const cli = newUser(referencePolicy(BUCKET, PREFIX));
    await cli.create();
    const file = writePolicyFile('reference-for-verify.json', referencePolicy(BUCKET, PREFIX));
    const same = (await cli.run('datasource', 'verify', 'farm', '--policy', file, '--json')).json<VerifyJson>();
    expect(same.policy?.differences).toEqual([]);
    expect(same.policy?.findings.map((finding) => finding.code)).toContain('bucket-wide-listing');

    const readOnlyFile = writePolicyFile('read-only-for-verify.json', (await generate()).policy);
    const more = (await cli.run('datasource', 'verify', 'farm', '--policy', readOnlyFile, '--json')).json<VerifyJson>();
    expect(more.policy?.differences.map((difference) => [difference.light, difference.promised, difference.observed])).toEqual([
      ['write', false, true],
      ['overwrite', false, true],
      ['delete', false, true],
    ]);
    cli.s3.destroy();
  });

  it('stops before probing when the policy file is malformed', async () => {
    const cli = newUser(readOnlyPolicy(BUCKET, PREFIX));
    await cli.create();
    proxy.clearLog();
    const file = writePolicyFile('broken.json', '{"Version": "2012-10-17", "Statement": [}');
    const verify = await cli.run('datasource', 'verify', 'farm', '--policy', file);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain('error: The policy file cannot be used: The policy is not valid JSON: line 1, column 41');
    expect(proxy.log).toEqual([]);
    cli.s3.destroy();
  });
});

/**
 * `winnow` against Azurite with SAS tokens that really restrict (Azurite enforces their permission
 * letters, expiry and the container they are signed for): the five lights and their messages, the
 * recipe `winnow policy generate` prints, and where the token may and may not show up.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../src/api/schemas.js';
import { createTestApi } from './support/api.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from './support/azurite.js';
import { freshHome, runCli } from './support/cli.js';

const CONTAINER = 'images';
const PREFIX = 'farm/';
const INPUT = `azure://${AZURITE_ACCOUNT}/${CONTAINER}/${PREFIX}`;
const image = readFileSync(resolve(import.meta.dirname, 'fixtures/images/cat.jpg'));

let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
  await azurite.createContainer(CONTAINER);
  await azurite.createContainer('elsewhere');
  await azurite.putBlobs(CONTAINER, [
    { key: `${PREFIX}cows/cow-001.jpg`, body: image },
    { key: `${PREFIX}cows/cow-002.jpg`, body: image },
    { key: 'farm-2/intruder.jpg', body: image },
  ]);
});
afterAll(() => azurite?.stop());

/** A user with a fresh catalog, connecting the dataset with this SAS token (piped on stdin, never on argv). */
function withToken(token: string, env: Record<string, string> = {}) {
  const home = freshHome();
  const fullEnv = { WINNOW_HOME: home, ...env };
  return {
    home,
    run: (...args: string[]) => runCli(args, { env: fullEnv }),
    create: (name: string, ...extra: string[]) =>
      runCli(['dataset', 'create', name, '--input', INPUT, '--endpoint', azurite.endpoint, '--sas-token-stdin', ...extra], {
        env: fullEnv,
        stdin: `${token}\n`,
      }),
  };
}

async function verify(token: string): Promise<{ code: number; report: VerifyReport; text: string }> {
  const user = withToken(token);
  const created = await user.create('farm');
  expect(created.code, created.stderr).toBe(0);
  const result = await user.run('datasource', 'verify', 'farm', '--json');
  const text = await user.run('datasource', 'verify', 'farm');
  return { code: result.code, report: result.json<VerifyReport>(), text: text.stdout };
}

const lightsOf = (report: VerifyReport) =>
  Object.fromEntries(Object.entries(report.checks).map(([light, check]) => [light, check.ok ? 'ok' : check.skipped ? 'skipped' : 'failed']));

describe('SAS tokens that restrict', () => {
  it("full token (rcwdl): all five lights, named in Azure's terms", async () => {
    const { code, report, text } = await verify(azurite.containerSas(CONTAINER, 'rcwdl'));
    expect(code).toBe(0);
    expect(report.mode).toBe('full');
    expect(report.checks.list).toMatchObject({
      operation: 'List Blobs',
      action: 'SAS l (list)',
      resource: `azure://${AZURITE_ACCOUNT}/${CONTAINER} (prefix "${PREFIX}")`,
    });
    expect(report.checks.read).toMatchObject({ operation: 'Get Blob', action: 'SAS r (read)' });
    expect(report.checks.overwrite).toMatchObject({ operation: 'Put Blob', action: 'SAS w (write)' });
    expect(report.checks.delete.resource).toMatch(new RegExp(`^azure://${AZURITE_ACCOUNT}/${CONTAINER}/${PREFIX}\\.winnow/probes/verify-`));
    expect(text).toContain('[ok  ] list      List Blobs → SAS l (list)');
  });

  it('read-only token (rl): list and read work; writing names the letters to add', async () => {
    const { code, report } = await verify(azurite.containerSas(CONTAINER, 'rl'));
    expect(code).toBe(0);
    expect(report.mode).toBe('read-only');
    expect(lightsOf(report)).toEqual({ list: 'ok', read: 'ok', write: 'failed', overwrite: 'skipped', delete: 'skipped' });
    expect(report.checks.write).toMatchObject({ errorCode: 'DatasourceAccessDenied', s3Code: 'AuthorizationPermissionMismatch' });
    expect(report.checks.write.message).toContain('the SAS token grants "rl", but Put Blob needs c (create) for a new blob, w (write) to overwrite one');
    expect(report.checks.write.fix).toContain('Add c and w to the permissions of the SAS token (now "rl")');
    expect(report.summary).toContain('no SAS c (create) or w (write) on the output .winnow/ folder');
  });

  it('list-only token (l): keys are listed; reading names r', async () => {
    const { code, report } = await verify(azurite.containerSas(CONTAINER, 'l'));
    expect(code).toBe(4);
    expect(report.mode).toBe('list-only');
    expect(lightsOf(report)).toMatchObject({ list: 'ok', read: 'failed' });
    expect(report.checks.read.message).toContain('Get Blob needs r (read)');
    expect(report.checks.read.fix).toContain('--permissions rl');
  });

  it('create without write (rlc): writes a probe, but overwriting it needs w and deleting it d', async () => {
    const { report } = await verify(azurite.containerSas(CONTAINER, 'rlc'));
    expect(lightsOf(report)).toEqual({ list: 'ok', read: 'ok', write: 'ok', overwrite: 'failed', delete: 'failed' });
    expect(report.checks.overwrite.fix).toContain('Add w');
    expect(report.checks.delete.fix).toContain('Add d');
    expect(report.leftBehind).toMatch(/\.winnow\/probes\/verify-/);
  });

  it('expired token: says when it expired, and tests nothing else', async () => {
    const { code, report, text } = await verify(azurite.containerSas(CONTAINER, 'rcwdl', new Date(Date.now() - 60_000)));
    expect(code).toBe(4);
    expect(report.mode).toBe('no-access');
    expect(report.checks.list).toMatchObject({ ok: false, errorCode: 'DatasourceCredentialsExpired' });
    expect(report.checks.list.message).toMatch(/the SAS token expired at \d{4}-\d\d-\d\dT/);
    for (const light of ['read', 'write', 'overwrite', 'delete'] as const) expect(report.checks[light].skipped, light).toBe(true);
    expect(text).toContain('Make a new SAS token');
  });

  it('token signed for another container: says it is scoped elsewhere', async () => {
    const { code, report } = await verify(azurite.containerSas('elsewhere', 'rcwdl'));
    expect(code).toBe(4);
    expect(report.checks.list).toMatchObject({ ok: false, errorCode: 'DatasourceAccessDenied' });
    expect(report.checks.list.message).toContain('scoped to another container or directory');
    expect(report.checks.list.fix).toContain(`Make a SAS token for container ${CONTAINER}`);
  });
});

describe('the recipe `winnow policy generate` prints for Azure', () => {
  it('gives the letters that light exactly what it promises', async () => {
    for (const flags of [[], ['--write'], ['--write', '--delete']]) {
      const printed = await runCli(['policy', 'generate', '--input', INPUT, ...flags, '--json']);
      expect(printed.code, printed.stderr).toBe(0);
      const { recipe, lights } = printed.json<{ recipe: { sas: Array<{ permissions: string }> }; lights: Record<string, boolean> }>();
      const letters = [...new Set(recipe.sas.flatMap((entry) => [...entry.permissions]))].join('');
      const { report } = await verify(azurite.containerSas(CONTAINER, letters));
      expect(Object.fromEntries(Object.entries(report.checks).map(([light, check]) => [light, check.ok])), `${flags.join(' ')}: ${letters}`).toEqual(lights);
    }
  });
});

describe('secrets', () => {
  it('keeps the SAS token out of the catalog file, `dataset show` and the logs', async () => {
    const token = azurite.containerSas(CONTAINER, 'rl');
    const signature = new URLSearchParams(token).get('sig')!;
    const user = withToken(token, { WINNOW_LOG_LEVEL: 'debug' });
    const created = await user.create('farm');
    const synced = await user.run('dataset', 'sync', 'farm', '--json');
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.json<{ total: number }>().total).toBe(2);
    const shown = await user.run('dataset', 'show', 'farm', '--json');
    for (const output of [created.stdout, created.stderr, synced.stdout, synced.stderr, shown.stdout]) expect(output).not.toContain(signature);
    expect(shown.json<{ input: { kind: string; hasSecret: boolean } }>().input).toMatchObject({ kind: 'azure', hasSecret: true });
    for (const file of readdirSync(user.home)) expect(readFileSync(join(user.home, file)).includes(signature), file).toBe(false);
  });

  it('takes the account key from WINNOW_AZURE_ACCOUNT_KEY', async () => {
    const home = freshHome();
    const env = { WINNOW_HOME: home, WINNOW_AZURE_ACCOUNT_KEY: AZURITE_KEY };
    expect((await runCli(['dataset', 'create', 'farm', '--input', INPUT, '--endpoint', azurite.endpoint], { env })).code).toBe(0);
    const verified = await runCli(['datasource', 'verify', 'farm', '--json'], { env });
    expect(verified.json<VerifyReport>().mode).toBe('full');
  });

  it('refuses an Azure dataset without a token or key, naming both ways to give one', async () => {
    const result = await runCli(['dataset', 'create', 'farm', '--input', INPUT, '--endpoint', azurite.endpoint], { env: { WINNOW_HOME: freshHome() } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('needs a SAS token (WINNOW_AZURE_SAS_TOKEN or --sas-token-stdin) or the account key');
  });
});

describe('the API', () => {
  const body = (endpoint: string) => JSON.stringify({ name: 'farm', input: { uri: INPUT, endpoint, sasToken: azurite.containerSas(CONTAINER, 'rl') } });

  it('refuses Azurite on loopback unless the operator allows private endpoints', async () => {
    const api = await createTestApi();
    try {
      const response = await api.request('/api/datasets', { method: 'POST', body: body(azurite.endpoint) });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('EndpointRefused');
    } finally {
      await api.context.drop();
    }
  });

  it('accepts it with WINNOW_API_ALLOW_PRIVATE_ENDPOINTS=true and never returns the token', async () => {
    const api = await createTestApi({ WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'true' });
    try {
      const response = await api.request('/api/datasets', { method: 'POST', body: body(azurite.endpoint) });
      const text = await response.text();
      expect(response.status, text).toBe(201);
      expect(text).not.toContain('sig=');
      expect(JSON.parse(text)).toMatchObject({ input: { kind: 'azure', uri: INPUT, hasSecret: true, accessKeyId: null } });
    } finally {
      await api.context.drop();
    }
  });
});

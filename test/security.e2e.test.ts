import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshHome, runCli } from './support/cli.js';
import { startServe, type ServeProcess } from './support/serve.js';

const S3_KEYS = ['--access-key-id', 'AKIAEXAMPLESECURITY1'];
const SECRET = { WINNOW_SECRET_ACCESS_KEY: 'security-test-secret' };

describe("the CLI, run by the machine's own user", () => {
  const home = freshHome();
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const env = { WINNOW_HOME: home, ...SECRET };

  it('accepts private and loopback endpoints (on-premises MinIO), without contacting them', async () => {
    const created = await runCli(
      ['dataset', 'create', 'onprem', '--input', 's3://bucket/prefix/', '--endpoint', 'http://10.0.0.1:9000', '--path-style', ...S3_KEYS],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
  });

  it.each(['http://169.254.169.254', 'http://[fd00:ec2::254]:80', 'http://0.0.0.0:9000'])('refuses %s with exit 2', async (endpoint) => {
    const refused = await runCli(['dataset', 'create', 'metadata', '--input', 's3://bucket/prefix/', '--endpoint', endpoint, ...S3_KEYS], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error: The input location is not usable: The endpoint .* is refused/);
    expect(refused.stderr).toContain('WINNOW_ALLOW_LINK_LOCAL_ENDPOINTS');
  });

  it('keeps the master key away from the catalog with WINNOW_MASTER_KEY_FILE, and cannot open the secrets without it', async () => {
    const keyHome = freshHome();
    const keyFile = join(mkdtempSync(join(tmpdir(), 'winnow-key-elsewhere-')), 'winnow.key');
    writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    const withKey = { WINNOW_HOME: keyHome, WINNOW_MASTER_KEY_FILE: keyFile, WINNOW_S3_MAX_ATTEMPTS: '1', ...SECRET };
    const args = ['dataset', 'create', 'elsewhere', '--input', 's3://bucket/prefix/', '--endpoint', 'http://127.0.0.1:9', '--path-style', ...S3_KEYS];
    expect((await runCli(args, { env: withKey })).code).toBe(0);
    expect(existsSync(join(keyHome, 'master.key'))).toBe(false);
    // With the key the secret opens and the call goes out (to an endpoint that is down); without it, it cannot.
    const verified = await runCli(['datasource', 'verify', 'elsewhere', '--json'], { env: withKey });
    expect(verified.stdout).not.toContain('SecretUndecryptable');
    const withoutKey = await runCli(['datasource', 'verify', 'elsewhere'], { env: { WINNOW_HOME: keyHome } });
    expect(withoutKey.code).toBe(2);
    expect(withoutKey.stderr).toContain('A stored secret cannot be decrypted with this master key.');
    const missing = await runCli(['dataset', 'list'], { env: { ...withKey, WINNOW_MASTER_KEY_FILE: `${keyFile}.gone` } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`The master key file ${keyFile}.gone (WINNOW_MASTER_KEY_FILE) cannot be read: ENOENT.`);
    rmSync(keyHome, { recursive: true, force: true });
  });

  it('refuses an endpoint carrying a password, and does not print it', async () => {
    const refused = await runCli(
      ['dataset', 'create', 'userinfo', '--input', 's3://bucket/prefix/', '--endpoint', 'https://admin:hunter2@minio.example.com', ...S3_KEYS],
      { env },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain('hunter2');
  });

  it('refuses its own data folder, or one that holds it, as a local dataset', async () => {
    for (const folder of [home, join(home, '..')]) {
      const refused = await runCli(['dataset', 'create', 'home', '--input', folder], { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("Winnow's data folder");
    }
  });

  it('refuses a location holding a control character', async () => {
    const refused = await runCli(['dataset', 'create', 'nul', '--input', 's3://bucket/a\u0001b/', ...S3_KEYS], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('control character U+0001');
  });

  it('reads a policy nested 100,000 deep as invalid (exit 2), without a stack trace', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'winnow-policy-'));
    const file = join(folder, 'deep.json');
    writeFileSync(file, `{"Version": "2012-10-17", "Statement": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const checked = await runCli(['policy', 'check', file, '--input', 's3://datalake/projects/farm-animals/']);
    rmSync(folder, { recursive: true, force: true });
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain('nests deeper than 16 levels');
    expect(checked.stderr).not.toMatch(/RangeError|at \w+ \(/);
  });
});

describe('winnow serve', () => {
  let serve: ServeProcess | undefined;
  const home = freshHome();
  afterAll(async () => {
    await serve?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('warns when it listens beyond this machine over plain HTTP', async () => {
    const exposed = await startServe({ WINNOW_HOME: home }, ['--host', '0.0.0.0']);
    try {
      expect(exposed.stderr()).toMatch(/warning: Winnow listens on 0\.0\.0\.0, reachable from other machines, over plain HTTP/);
    } finally {
      await exposed.stop();
    }
  });

  it('signs in once with its link, lists the session and stops accepting it when revoked', async () => {
    serve = await startServe({ WINNOW_HOME: home });
    expect(serve.stderr()).not.toContain('warning:');
    const link = await fetch(serve.signInUrl, { redirect: 'manual' });
    const cookie = link.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(serve.signInUrl, { redirect: 'manual' })).headers.get('location')).toBe('/?signin=expired');
    const datasets = () => fetch(`${serve!.url}/api/datasets`, { headers: { cookie } });
    expect((await datasets()).status).toBe(200);

    const listed = await runCli(['token', 'list', '--json'], { env: { WINNOW_HOME: home } });
    const { sessions } = listed.json<{ sessions: Array<{ id: string; token: string | null }> }>();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.token).toBeNull();
    expect(listed.stdout).not.toContain(cookie.split('=')[1]!);

    const revoked = await runCli(['token', 'revoke', sessions[0]!.id], { env: { WINNOW_HOME: home } });
    expect(revoked.stdout).toContain('Revoked 1 browser session');
    // The server trusts a checked session for at most a second.
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await datasets()).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(401);
  });
});

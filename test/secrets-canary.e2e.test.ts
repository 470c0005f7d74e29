/**
 * The secrets canary: recognisable fake secrets and session tokens go through every CLI command, API route
 * (error paths included) and job, on SQLite and PostgreSQL, with logs at `trace`. Then every place a secret
 * could end up is searched: log lines, API answers, CLI output and errors, the catalog files, a pg_dump, and
 * every byte s3rver stored (the input and output buckets). The only place a canary may live is the sealed
 * column, where it is ciphertext and so never matches.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshHome, runCli, type CliResult } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { readOnlyPolicy, referencePolicy } from './support/policies.js';
import { fixtureImage, startSeededS3, underPrefix, type SeededS3 } from './support/s3-fixture.js';
import type { ProxyUser } from './support/s3-policy-proxy.js';
import { startServe, type ServeProcess } from './support/serve.js';

const BUCKET = 'datalake';
const OUTPUT_BUCKET = 'curation-output';
const PREFIX = 'projects/farm-animals/';
const INPUT = `s3://${BUCKET}/${PREFIX}`;
const OUTPUT = `s3://${OUTPUT_BUCKET}/farm/`;
/** Nothing listens on port 9 (discard): the endpoint that is down. */
const DEAD_ENDPOINT = 'http://127.0.0.1:9';

/** Each canary: a marker no legitimate text holds, then random characters, so a partial quote is found too. */
function canary(kind: string): string {
  return `CANARY${kind}${randomBytes(18).toString('hex').toUpperCase()}`;
}
const SECRETS = {
  secret: canary('SECRET'),
  sessionToken: canary('TOKEN'),
  outputSecret: canary('OUTSECRET'),
  wrongSecret: canary('WRONG'),
  deniedSecret: canary('DENIED'),
  deadSecret: canary('DEAD'),
  sasSignature: canary('SAS'),
  accountKey: Buffer.from(canary('ACCOUNTKEY')).toString('base64'),
  bearer: canary('BEARER'),
};
/** What a search looks for: each canary whole, its marker-less tail and its first 16 characters (a truncated quote). */
/** A SAS token's secret part is its signature; the rest (permissions, expiry) may be quoted. */
const SAS_TOKEN = `sv=2022-11-02&sr=c&sp=rl&se=2030-01-01T00%3A00%3A00Z&sig=${SECRETS.sasSignature}`;
const NEEDLES = Object.values(SECRETS).flatMap((value) => [value, value.slice(-24), value.slice(0, 16)]);

const users = {
  good: { accessKeyId: 'AKIACANARYGOOD000001', secretAccessKey: SECRETS.secret, sessionToken: SECRETS.sessionToken, policy: referencePolicy(BUCKET, PREFIX) },
  output: {
    accessKeyId: 'AKIACANARYOUT0000001',
    secretAccessKey: SECRETS.outputSecret,
    policy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: [`arn:aws:s3:::${OUTPUT_BUCKET}`, `arn:aws:s3:::${OUTPUT_BUCKET}/*`] }],
    },
  },
  readOnly: {
    accessKeyId: 'AKIACANARYRO00000001',
    secretAccessKey: SECRETS.deniedSecret,
    sessionToken: SECRETS.sessionToken,
    policy: readOnlyPolicy(BUCKET, PREFIX),
  },
} satisfies Record<string, ProxyUser>;

/** Every text Winnow produced during the run, and where it came from. */
const produced: Array<{ where: string; text: string }> = [];

/**
 * A presigned URL carries the session token by necessity (`X-Amz-Security-Token`): a browser cannot fetch
 * the object without it. That is the one place the token is handed out, to the user who holds it anyway.
 */
function withoutPresignedTokens(text: string): string {
  return text.replace(/X-Amz-Security-Token=[^&"\s\\]*/g, 'X-Amz-Security-Token=<presigned>');
}

function hits(text: string): string[] {
  return NEEDLES.filter((needle) => text.includes(needle)).map((needle) => {
    const at = text.indexOf(needle);
    return `…${text.slice(Math.max(0, at - 120), at + needle.length + 40)}…`;
  });
}

let s3: SeededS3;

beforeAll(async () => {
  s3 = await startSeededS3({
    buckets: [BUCKET, OUTPUT_BUCKET],
    users: Object.values(users),
    objects: {
      [BUCKET]: underPrefix(PREFIX, {
        'cows/cow.jpg': fixtureImage('cat.jpg'),
        'pigs/pig.png': fixtureImage('coffee.png'),
        'pigs/pig.webp': fixtureImage('cat.webp'),
        'broken/truncated.jpg': fixtureImage('truncated.jpg'),
      }),
    },
  });
}, 60_000);
afterAll(async () => s3?.stop());

/** The CLI with logs at trace, everything it prints kept for the search. */
function cliFor(env: Record<string, string>) {
  const logged = { WINNOW_LOG_LEVEL: 'trace', WINNOW_EMBED_THREADS: '1', ...env };
  return async (args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliResult> => {
    const result = await runCli(args, { env: { ...logged, ...options.env }, stdin: options.stdin, timeoutMs: 180_000 });
    produced.push({ where: `winnow ${args.join(' ')} (stdout)`, text: result.stdout }, { where: `winnow ${args.join(' ')} (stderr)`, text: result.stderr });
    return result;
  };
}

/** `dataset create` for one key pair, secrets on stdin (and the output's in the environment). */
function createArgs(name: string, accessKeyId: string, endpoint: string, extra: string[] = []): string[] {
  return [
    'dataset',
    'create',
    name,
    '--input',
    INPUT,
    '--endpoint',
    endpoint,
    '--path-style',
    '--access-key-id',
    accessKeyId,
    '--secret-access-key-stdin',
    ...extra,
  ];
}

/** Every CLI command a user would run, on the good keys and on each kind of bad one. */
async function exerciseCli(cli: ReturnType<typeof cliFor>, options: { everything: boolean }): Promise<void> {
  const endpoint = s3.proxy.endpoint;
  const outputFlags = ['--output', OUTPUT, '--output-access-key-id', users.output.accessKeyId];
  const created = await cli(createArgs('farm', users.good.accessKeyId, endpoint, ['--session-token-stdin', '--thumbnails', ...outputFlags]), {
    stdin: `${SECRETS.secret}\n${SECRETS.sessionToken}\n`,
    env: { WINNOW_OUTPUT_SECRET_ACCESS_KEY: SECRETS.outputSecret },
  });
  expect(created.code, created.stderr).toBe(0);
  // Secrets from the environment instead of stdin.
  const fromEnv = await cli(
    ['dataset', 'create', 'farm-env', '--input', INPUT, '--endpoint', endpoint, '--path-style', '--access-key-id', users.good.accessKeyId],
    {
      env: { WINNOW_SECRET_ACCESS_KEY: SECRETS.secret, WINNOW_SESSION_TOKEN: SECRETS.sessionToken },
    },
  );
  expect(fromEnv.code, fromEnv.stderr).toBe(0);
  const wrong = await cli(createArgs('wrong-key', users.good.accessKeyId, endpoint, ['--session-token-stdin']), {
    stdin: `${SECRETS.wrongSecret}\n${SECRETS.sessionToken}\n`,
  });
  expect(wrong.code, wrong.stderr).toBe(0);
  const denied = await cli(createArgs('denied', users.readOnly.accessKeyId, endpoint, ['--session-token-stdin']), {
    stdin: `${SECRETS.deniedSecret}\n${SECRETS.sessionToken}\n`,
  });
  expect(denied.code, denied.stderr).toBe(0);
  const dead = await cli(createArgs('dead', users.good.accessKeyId, DEAD_ENDPOINT, ['--session-token-stdin']), {
    stdin: `${SECRETS.deadSecret}\n${SECRETS.sessionToken}\n`,
  });
  expect(dead.code, dead.stderr).toBe(0);
  // A secret given where it does not belong: refused, and the refusal must not quote it.
  expect((await cli(createArgs('bad-uri', users.good.accessKeyId, `http://user:${SECRETS.secret}@127.0.0.1:9`), { stdin: `${SECRETS.secret}\n` })).code).toBe(
    2,
  );
  expect(
    (
      await cli(['dataset', 'create', 'azure', '--input', 'azure://account/container/prefix/', '--sas-token-stdin', '--endpoint', DEAD_ENDPOINT], {
        stdin: `${SAS_TOKEN}\n`,
      })
    ).code,
  ).toBe(0);
  await cli(['dataset', 'create', 'azure-expired', '--input', 'azure://account/container/prefix/', '--sas-token-stdin', '--endpoint', DEAD_ENDPOINT], {
    stdin: `${SAS_TOKEN.replace('se=2030', 'se=2001')}\n`,
  });
  await cli(['dataset', 'create', 'azure-key', '--input', 'azure://account/container/prefix/', '--account-key-stdin', '--endpoint', DEAD_ENDPOINT], {
    stdin: `${SECRETS.accountKey}\n`,
  });

  for (const name of ['farm', 'wrong-key', 'denied', 'dead', 'azure', 'azure-key']) {
    await cli(['datasource', 'verify', name, ...(name === 'farm' ? [] : ['--json'])]);
    await cli(['dataset', 'sync', name, ...(name === 'wrong-key' ? [] : ['--json'])]);
    if (!options.everything) continue;
    await cli(['dataset', 'show', name, '--json']);
    await cli(['thumbnails', name, '--json']);
    await cli(['samples', 'list', name, '--urls', '--json']);
  }
  expect((await cli(['dataset', 'sync', 'farm', '--json'])).code).toBe(0);
  await cli(['dataset', 'sync', 'farm-env']);
  if (options.everything) {
    await cli(['policy', 'generate', '--input', INPUT, '--write']);
    expect((await cli(['embed', 'farm', '--json'])).code).toBe(0);
    await cli(['embed', 'wrong-key', '--json']);
    await cli(['select', 'farm', '--strategy', 'diversity', '--n', '2', '--tag', 'picked', '--json']);
    await cli(['tags', 'export', 'farm', 'picked', '--format', 'json', '--urls']);
    await cli(['tags', 'export', 'farm', 'picked', '--to-output']);
    await cli(['embeddings', 'export', 'farm']);
  }
  // Editing: new keys from stdin, and a refusal that must not quote what was sent.
  await cli(['dataset', 'edit', 'farm-env', '--access-key-id', users.good.accessKeyId, '--secret-access-key-stdin', '--session-token-stdin'], {
    stdin: `${SECRETS.secret}\n${SECRETS.sessionToken}\n`,
  });
  await cli(['dataset', 'edit', 'farm-env', '--endpoint', `http://user:${SECRETS.secret}@127.0.0.1:9`]);
  await cli(['dataset', 'clean-outputs', 'farm', '--json']);
  await cli(['dataset', 'list', '--json']);
  await cli(['dataset', 'list']);
  await cli(['token', 'create', 'canary-cli', '--json']);
  await cli(['token', 'list']);
  await cli(['dataset', 'delete', 'farm-env']);
}

describe('the secrets canary', () => {
  let home: string;
  let postgres: TestDatabase;
  let serve: ServeProcess;

  it('runs every CLI command on SQLite with the canaries', async () => {
    home = freshHome();
    await exerciseCli(cliFor({ WINNOW_HOME: home }), { everything: true });
  }, 600_000);

  it('runs every API route, error paths included, against winnow serve', async () => {
    const cli = cliFor({ WINNOW_HOME: home });
    // A sync of a dead endpoint is retried by the job queue; short delays keep the wait for each job's end short.
    serve = await startServe({
      WINNOW_HOME: home,
      WINNOW_LOG_LEVEL: 'trace',
      WINNOW_API_ALLOW_PRIVATE_ENDPOINTS: 'true',
      WINNOW_EMBED_THREADS: '1',
      WINNOW_JOB_RETRY_DELAY_SECONDS: '1',
    });
    try {
      const token = (await cli(['token', 'create', 'canary-api', '--json'])).json<{ token: string }>().token;
      const api = async (path: string, init: { method?: string; body?: unknown; raw?: string; bearer?: string } = {}) => {
        const method = init.method ?? (init.body === undefined && init.raw === undefined ? 'GET' : 'POST');
        const response = await fetch(`${serve.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${init.bearer ?? token}`, 'content-type': 'application/json' },
          body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
          redirect: 'manual',
        });
        const text = await response.text();
        produced.push({ where: `${method} ${path} → ${response.status}`, text: `${JSON.stringify([...response.headers])}\n${text}` });
        return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
      };
      const endpoint = s3.proxy.endpoint;
      const connection = (secretAccessKey: string, at = endpoint) => ({
        uri: INPUT,
        endpoint: at,
        pathStyle: true,
        accessKeyId: users.good.accessKeyId,
        secretAccessKey,
        sessionToken: SECRETS.sessionToken,
      });
      const output = { uri: OUTPUT, endpoint, pathStyle: true, accessKeyId: users.output.accessKeyId, secretAccessKey: SECRETS.outputSecret };
      expect((await api('/api/datasets', { body: { name: 'api-farm', input: connection(SECRETS.secret), output, thumbnails: { size: 64 } } })).status).toBe(
        201,
      );
      expect((await api('/api/datasets', { body: { name: 'api-wrong', input: connection(SECRETS.wrongSecret) } })).status).toBe(201);
      expect((await api('/api/datasets', { body: { name: 'api-dead', input: connection(SECRETS.deadSecret, DEAD_ENDPOINT) } })).status).toBe(201);
      expect(
        (
          await api('/api/datasets', {
            body: { name: 'api-denied', input: { ...connection(SECRETS.deniedSecret), accessKeyId: users.readOnly.accessKeyId } },
          })
        ).status,
      ).toBe(201);
      await api('/api/datasets', {
        body: { name: 'api-azure', input: { uri: 'azure://account/container/prefix/', endpoint: DEAD_ENDPOINT, sasToken: SAS_TOKEN } },
      });
      // Refusals that must not quote what was sent.
      const refusals = [
        { name: 'too-long', input: connection(SECRETS.secret.repeat(40)) },
        { name: 'extra-field', input: { ...connection(SECRETS.secret), secret: SECRETS.secret } },
        { name: 'bad-type', input: { ...connection(SECRETS.secret), pathStyle: SECRETS.secret } },
        { name: 'bad-endpoint', input: connection(SECRETS.secret, `http://user:${SECRETS.secret}@127.0.0.1:9`) },
        { name: 'api-farm', input: connection(SECRETS.secret) },
      ];
      for (const body of refusals) expect((await api('/api/datasets', { body })).status).toBeGreaterThanOrEqual(400);
      expect((await api('/api/datasets', { raw: `{"name":"x","input":{"secretAccessKey":"${SECRETS.secret}"` })).status).toBe(400);
      expect((await api('/api/datasets', { bearer: SECRETS.bearer })).status).toBe(401);
      await api(`/login?token=${SECRETS.bearer}`);
      await api('/api/session', { body: { token: SECRETS.bearer } });

      for (const name of ['api-farm', 'api-wrong', 'api-dead', 'api-denied', 'api-azure', 'farm', 'wrong-key', 'dead']) {
        await api(`/api/datasets/${name}/verify`, { method: 'POST' });
        await api(`/api/datasets/${name}/sync`, { method: 'POST' });
        const deadline = Date.now() + 120_000;
        for (;;) {
          const { job } = (await api(`/api/datasets/${name}/sync`)).json() as { job: { status: string } | null };
          if (job == null || job.status !== 'running' || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await api(`/api/datasets/${name}`);
        await api(`/api/datasets/${name}/samples?limit=50`);
        await api(`/api/datasets/${name}/sample?key=cows/cow.jpg`);
        await api(`/api/datasets/${name}/policy`);
        await api(`/api/datasets/${name}/embeddings`, { method: 'POST', body: {} });
        await api(`/api/datasets/${name}/embeddings`);
        await api(`/api/datasets/${name}/tags`);
      }
      await api('/api/datasets/farm/selections', { body: { strategies: [{ name: 'diversity' }], count: 2, tag: 'api-picked' } });
      await api('/api/datasets/farm/tags/picked/export?format=json&urls=true');
      await api('/api/datasets/farm/tags/picked/export?format=json&urls=true', { method: 'POST' });
      await api('/api/datasets/farm/sync', { method: 'DELETE' });
      await api('/api/datasets/api-wrong', { method: 'PATCH', body: { input: { secretAccessKey: SECRETS.wrongSecret, sessionToken: SECRETS.sessionToken } } });
      await api('/api/datasets/api-wrong', { method: 'PATCH', body: { input: { endpoint: `http://user:${SECRETS.secret}@127.0.0.1:9` } } });
      await api('/api/datasets/api-wrong', { method: 'PATCH', body: { input: { secret: SECRETS.secret } } });
      await api('/api/datasets/api-farm/clean-outputs', { method: 'POST' });
      await api('/api/datasets');
      await api('/api/datasets/api-wrong', { method: 'DELETE' });
    } finally {
      await serve.stop();
      produced.push({ where: 'winnow serve (stderr: the log)', text: serve.stderr() });
    }
  }, 600_000);

  it('runs the CLI on PostgreSQL with the canaries', async () => {
    postgres = await createTestDatabase('postgres');
    await exerciseCli(cliFor(postgres.env), { everything: false });
  }, 600_000);

  it('finds no canary in any output, log line or error message', async () => {
    const found = produced.flatMap(({ where, text }) => hits(withoutPresignedTokens(text)).map((hit) => `${where}: ${hit}`));
    expect(found).toEqual([]);
    // The search itself works: the canaries did go through (the API's presigned URLs carry the session token).
    expect(produced.some(({ text }) => text.includes(SECRETS.sessionToken))).toBe(true);
    expect(produced.filter(({ where }) => where.endsWith('(stderr)')).some(({ text }) => text.includes('"level":20'))).toBe(true);
  });

  it('finds no canary in the SQLite catalog or anything else in the data folder', () => {
    const files = filesUnder(home);
    expect(files.some((file) => file.endsWith('catalog.sqlite'))).toBe(true);
    const found = files.flatMap((file) => hits(readFileSync(file).toString('latin1')).map((hit) => `${file}: ${hit}`));
    expect(found).toEqual([]);
  });

  it('finds no canary in a dump of the PostgreSQL catalog', async () => {
    const url = postgres.env.WINNOW_DATABASE_URL!;
    const dump = execFileSync('pg_dump', ['--no-owner', '--data-only', url], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    expect(dump).toMatch(/COPY public\.datasources/);
    expect(dump).toMatch(/v1:/);
    expect(hits(dump)).toEqual([]);
    await postgres.drop();
  });

  it('finds no canary in any object of the input or output bucket', () => {
    const files = filesUnder(s3.server.directory);
    expect(files.some((file) => file.includes(OUTPUT_BUCKET))).toBe(true);
    const found = files.flatMap((file) => hits(withoutPresignedTokens(readFileSync(file).toString('latin1'))).map((hit) => `${file}: ${hit}`));
    expect(found).toEqual([]);
  });
});

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isFile());
}

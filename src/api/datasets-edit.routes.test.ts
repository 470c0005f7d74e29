import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../test/support/api.js';
import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import { findDatasetByName } from '../catalog/dataset.repository.js';
import { findDatasourcesOfDataset, recordDeleteAllowed } from '../catalog/datasource.repository.js';
import { secretContext } from '../workflows/dataset-stores.js';
import { DatasetDetailsSchema, DatasetOutputCleanupSchema, DatasetSchema, ErrorSchema } from './schemas.js';

const CAT = resolve(import.meta.dirname, '../../test/fixtures/images/cat.jpg');

describe('PATCH /api/datasets/{name}', () => {
  let api: TestApi;
  let folder: string;
  const patch = (name: string, body: unknown) => api.request(`/api/datasets/${name}`, { method: 'PATCH', body: JSON.stringify(body) });
  const secretsOf = async (name: string) => {
    const dataset = (await findDatasetByName(api.context.database.db, name))!;
    const datasources = await findDatasourcesOfDataset(api.context.database.db, dataset.id);
    return Object.fromEntries(
      datasources.map((datasource) => [
        datasource.purpose,
        datasource.sealedSecret === null ? null : JSON.parse(api.context.secretBox.open(datasource.sealedSecret, secretContext(datasource.id))),
      ]),
    );
  };

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-api-edit-'));
    api = await createTestApi({ WINNOW_LOCAL_ROOTS: folder });
    const created = await api.request('/api/datasets', {
      method: 'POST',
      body: JSON.stringify({
        name: 'farm',
        input: { uri: 's3://datalake/projects/farm-animals/', region: 'eu-west-1', accessKeyId: 'AKIAOLD', secretAccessKey: 'old-secret' },
      }),
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await api?.context.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('changes filters, thumbnails and the output, keeping the stored secret when none is sent and never returning it', async () => {
    const response = await patch('farm', {
      include: ['cows/**'],
      exclude: ['**/drafts/**'],
      thumbnails: { size: 128 },
      output: { uri: 's3://datalake/winnow-output/' },
      input: { region: 'eu-central-1' },
    });
    expect(response.status).toBe(200);
    const body = DatasetSchema.parse(await response.json());
    expect(body).toMatchObject({
      name: 'farm',
      include: ['cows/**'],
      exclude: ['**/drafts/**'],
      thumbnailSize: 128,
      input: { uri: 's3://datalake/projects/farm-animals/', region: 'eu-central-1', accessKeyId: 'AKIAOLD', hasSecret: true },
      output: { uri: 's3://datalake/winnow-output/', region: 'eu-central-1', accessKeyId: 'AKIAOLD', hasSecret: true },
    });
    expect(JSON.stringify(body)).not.toContain('old-secret');
    // The output reached its new place with the input's keys, as at creation.
    expect(await secretsOf('farm')).toEqual({ input: { secretAccessKey: 'old-secret' }, output: { secretAccessKey: 'old-secret' } });
  });

  it('replaces the keys of the input and of an output that uses them', async () => {
    const response = await patch('farm', { input: { accessKeyId: 'AKIANEW', secretAccessKey: 'new-secret' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ input: { accessKeyId: 'AKIANEW' }, output: { uri: 's3://datalake/winnow-output/', accessKeyId: 'AKIANEW' } });
    expect(await secretsOf('farm')).toEqual({ input: { secretAccessKey: 'new-secret' }, output: { secretAccessKey: 'new-secret' } });
  });

  it('asks for the secret of a new access key id instead of pairing it with the old secret', async () => {
    const response = await patch('farm', { input: { accessKeyId: 'AKIAOTHER' } });
    expect(response.status).toBe(400);
    expect(ErrorSchema.parse(await response.json()).error.message).toContain('"AKIAOTHER" was given without its secret');
    expect(await secretsOf('farm')).toMatchObject({ input: { secretAccessKey: 'new-secret' } });
  });

  it('refuses to move the input location, saying why', async () => {
    const response = await patch('farm', { input: { uri: 's3://datalake/projects/other/' } });
    expect(response.status).toBe(400);
    const { error } = ErrorSchema.parse(await response.json());
    expect(error).toMatchObject({
      code: 'InputInvalid',
      message: 'The input location of a dataset cannot change (it is s3://datalake/projects/farm-animals/).',
    });
    expect(error.hint).toContain('create a new dataset');
    // The same location, written another way, is not a move.
    expect((await patch('farm', { input: { uri: 's3://datalake/projects/farm-animals' } })).status).toBe(200);
  });

  it('checks what it is given as creation does', async () => {
    const response = await patch('farm', { name: 'bad name', include: ['['], thumbnails: { size: 3 } });
    expect(response.status).toBe(400);
    expect(ErrorSchema.parse(await response.json()).error.code).toBe('InputInvalid');
    expect((await patch('farm', { unknown: true })).status).toBe(400);
    expect((await patch('nowhere', { include: [] })).status).toBe(404);
  });

  it('renames, refusing a name already taken, and writes under the input again when the output is cleared', async () => {
    await api.request('/api/datasets', { method: 'POST', body: JSON.stringify({ name: 'taken', input: { uri: folder } }) });
    const taken = await patch('farm', { name: 'taken' });
    expect(taken.status).toBe(409);
    expect(ErrorSchema.parse(await taken.json()).error.code).toBe('DatasetExists');
    const renamed = await patch('farm', { name: 'barn', output: null, thumbnails: null });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ name: 'barn', thumbnailSize: null, output: { uri: 's3://datalake/projects/farm-animals/' } });
    expect((await api.request('/api/datasets/farm')).status).toBe(404);
    expect((await api.request('/api/datasets/barn')).status).toBe(200);
  });

  it('is refused while a job holds the dataset', async () => {
    const dataset = (await findDatasetByName(api.context.database.db, 'taken'))!;
    const lease = await acquireDatasetLease(api.context.database.db, dataset.id, dataset.name, 'sync', api.context.clock);
    try {
      const during = await patch('taken', { include: ['cows/**'] });
      expect(during.status).toBe(409);
      expect(ErrorSchema.parse(await during.json()).error.code).toBe('DatasetBusy');
    } finally {
      await lease.release();
    }
    expect((await patch('taken', { include: ['cows/**'] })).status).toBe(200);
  });
});

describe('POST /api/datasets/{name}/clean-outputs', () => {
  let api: TestApi;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-api-clean-'));
    api = await createTestApi({ WINNOW_LOCAL_ROOTS: folder });
    mkdirSync(join(folder, 'cows'));
    cpSync(CAT, join(folder, 'cows/a.jpg'));
    cpSync(CAT, join(folder, 'cows/gone.jpg'));
    const created = await api.request('/api/datasets', {
      method: 'POST',
      body: JSON.stringify({ name: 'barn', input: { uri: folder }, thumbnails: { size: 64 } }),
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await api?.context.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  const sync = async () => {
    expect((await api.request('/api/datasets/barn/sync', { method: 'POST' })).status).toBe(202);
    await api.jobs.settled('barn');
  };

  it('deletes the thumbnails of removed samples that a sync left, and the dataset then lists none', async () => {
    await sync();
    const thumbnails = join(folder, '.winnow/thumbnails');
    expect(existsSync(thumbnails)).toBe(true);
    // As after a delete was denied: the sync leaves them and lists them as orphans.
    const dataset = (await findDatasetByName(api.context.database.db, 'barn'))!;
    const output = (await findDatasourcesOfDataset(api.context.database.db, dataset.id)).find((datasource) => datasource.purpose === 'output')!;
    await recordDeleteAllowed(api.context.database.db, output.id, false);
    rmSync(join(folder, 'cows/gone.jpg'));
    await sync();
    const before = DatasetDetailsSchema.parse(await (await api.request('/api/datasets/barn')).json());
    expect(before.orphanedOutputs).toMatchObject({ count: 1, deleteAllowed: false });
    const orphan = before.orphanedOutputs.first[0]!;
    expect(existsSync(join(folder, orphan))).toBe(true);

    const response = await api.request('/api/datasets/barn/clean-outputs', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(DatasetOutputCleanupSchema.parse(await response.json())).toEqual({ dataset: 'barn', deleted: 1, left: 0, reason: null, command: null });
    expect(existsSync(join(folder, orphan))).toBe(false);
    expect(existsSync(join(folder, 'cows/a.jpg'))).toBe(true);
    const after = DatasetDetailsSchema.parse(await (await api.request('/api/datasets/barn')).json());
    expect(after.orphanedOutputs).toEqual({ count: 0, first: [], deleteAllowed: true });
  });

  it('keeps the datasource and what was learnt of its keys when the form sends the settings unchanged', async () => {
    const dataset = (await findDatasetByName(api.context.database.db, 'barn'))!;
    const before = await findDatasourcesOfDataset(api.context.database.db, dataset.id);
    const response = await api.request('/api/datasets/barn', {
      method: 'PATCH',
      body: JSON.stringify({ name: 'barn', input: { region: null, endpoint: null, accessKeyId: null }, include: [], exclude: [], thumbnails: { size: 64 } }),
    });
    expect(response.status).toBe(200);
    expect(await findDatasourcesOfDataset(api.context.database.db, dataset.id)).toEqual(before);
  });

  it('replaces the relevant-filenames list, forgetting the last report, and drops it with null', async () => {
    const listed = await api.request('/api/datasets/barn', {
      method: 'PATCH',
      body: JSON.stringify({ relevantFilenames: { text: 'cows/a.jpg\ncows/typo.jpg\n' } }),
    });
    expect(await listed.json()).toMatchObject({ hasRelevantFilenames: true });
    await sync();
    const details = DatasetDetailsSchema.parse(await (await api.request('/api/datasets/barn')).json());
    expect(details.samples.total).toBe(1);
    expect(details.relevantFilenames).toMatchObject({ listed: 2, missing: { count: 1, first: ['cows/typo.jpg'] } });
    const dropped = await api.request('/api/datasets/barn', { method: 'PATCH', body: JSON.stringify({ relevantFilenames: null }) });
    expect(await dropped.json()).toMatchObject({ hasRelevantFilenames: false });
    expect(DatasetDetailsSchema.parse(await (await api.request('/api/datasets/barn')).json()).relevantFilenames).toBeNull();
  });

  it('forgets the thumbnails made under the old output when the output moves, and makes them under the new one', async () => {
    const elsewhere = join(folder, 'outputs');
    mkdirSync(elsewhere);
    const moved = await api.request('/api/datasets/barn', { method: 'PATCH', body: JSON.stringify({ output: { uri: elsewhere } }) });
    expect(moved.status).toBe(200);
    expect(DatasetDetailsSchema.parse(await (await api.request('/api/datasets/barn')).json()).thumbnails.ok).toBe(0);
    await sync();
    expect(DatasetDetailsSchema.parse(await (await api.request('/api/datasets/barn')).json()).thumbnails.ok).toBe(1);
    expect(existsSync(join(elsewhere, '.winnow/thumbnails/cows/a.jpg_thumb.jpg'))).toBe(true);
  });

  it('answers 404 for a dataset that is not there', async () => {
    expect((await api.request('/api/datasets/nowhere/clean-outputs', { method: 'POST' })).status).toBe(404);
  });
});

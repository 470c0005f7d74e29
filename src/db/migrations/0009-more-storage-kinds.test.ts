import { afterEach, describe, expect, it } from 'vitest';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import type { Dialect } from '../dialect.js';
import { catalogMigrations } from '../database.js';
import { catalogMigration } from './0001-catalog.js';
import { thumbnailsMigration } from './0002-thumbnails.js';
import { apiAccessMigration } from './0003-api-access.js';
import { browseAtScaleMigration } from './0004-browse-at-scale.js';
import { datasetChangeNoticesMigration } from './0005-dataset-change-notices.js';
import { removedSamplesIndexMigration } from './0006-removed-samples-index.js';
import { embeddingsMigration } from './0007-embeddings.js';
import { curationMigration } from './0008-curation.js';
import { moreStorageKindsMigration } from './0009-more-storage-kinds.js';

const EARLIER: Record<string, (dialect: Dialect) => Migration> = {
  '0001-catalog': catalogMigration,
  '0002-thumbnails': thumbnailsMigration,
  '0003-api-access': apiAccessMigration,
  '0004-browse-at-scale': browseAtScaleMigration,
  '0005-dataset-change-notices': datasetChangeNoticesMigration,
  '0006-removed-samples-index': removedSamplesIndexMigration,
  '0007-embeddings': embeddingsMigration,
  '0008-curation': curationMigration,
};

describe.each(['sqlite', 'postgres'] as const)('migration 0009 (more storage kinds) on %s', (dialect) => {
  let catalog: TestDatabase;
  afterEach(() => catalog?.drop());

  const migrator = (db: Kysely<unknown>, names: string[]) =>
    new Migrator({
      db,
      provider: {
        getMigrations: async () =>
          Object.fromEntries(names.map((name) => [name, name.startsWith('0009') ? moreStorageKindsMigration(dialect) : EARLIER[name]!(dialect)])),
      },
    });

  it('keeps existing datasources, accepts azure and gcs, and goes back down', async () => {
    catalog = await createTestDatabase(dialect);
    const db = catalog.database.db as unknown as Kysely<unknown>;
    // The test catalog is already at the latest version: step back to 0009, then to 0008 with a dataset in it.
    const all = new Migrator({ db, provider: { getMigrations: async () => catalogMigrations(dialect) } });
    expect((await all.migrateTo('0009-more-storage-kinds')).error).toBeUndefined();
    expect((await migrator(db, [...Object.keys(EARLIER), '0009-more-storage-kinds']).migrateDown()).error).toBeUndefined();
    await sql`insert into datasets (id, name, include_globs, exclude_globs, created_at, updated_at) values ('d1', 'farm', '[]', '[]', 'now', 'now')`.execute(
      db,
    );
    await sql`insert into datasources (id, dataset_id, purpose, kind, container, prefix, created_at) values ('s1', 'd1', 'input', 's3', 'photos', 'farm/', 'now')`.execute(
      db,
    );
    await expect(
      sql`insert into datasources (id, dataset_id, purpose, kind, container, prefix, created_at) values ('s2', 'd1', 'output', 'azure', 'images', '', 'now')`.execute(
        db,
      ),
    ).rejects.toThrow();

    expect((await migrator(db, [...Object.keys(EARLIER), '0009-more-storage-kinds']).migrateToLatest()).error).toBeUndefined();
    const rows = await sql<{
      id: string;
      kind: string;
      container: string;
      account: string | null;
      preset: string | null;
    }>`select id, kind, container, account, preset from datasources`.execute(db);
    expect(rows.rows).toEqual([{ id: 's1', kind: 's3', container: 'photos', account: null, preset: null }]);
    await sql`insert into datasources (id, dataset_id, purpose, kind, container, account, prefix, created_at) values ('s2', 'd1', 'output', 'azure', 'images', 'acct', '', 'now')`.execute(
      db,
    );
    await expect(
      sql`insert into datasources (id, dataset_id, purpose, kind, container, prefix, created_at) values ('s3', 'd1', 'output', 'ftp', 'x', '', 'now')`.execute(
        db,
      ),
    ).rejects.toThrow();
    // The rebuilt table still cascades from datasets and keeps one datasource per purpose.
    await expect(
      sql`insert into datasources (id, dataset_id, purpose, kind, container, prefix, created_at) values ('s4', 'd1', 'input', 'gcs', 'x', '', 'now')`.execute(
        db,
      ),
    ).rejects.toThrow();
    await sql`delete from datasets where id = 'd1'`.execute(db);
    expect((await sql`select id from datasources`.execute(db)).rows).toEqual([]);

    expect((await migrator(db, [...Object.keys(EARLIER), '0009-more-storage-kinds']).migrateDown()).error).toBeUndefined();
  });
});

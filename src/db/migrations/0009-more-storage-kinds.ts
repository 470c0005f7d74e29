import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../dialect.js';

const KINDS_BEFORE = sql`kind in ('s3', 'local')`;
const KINDS_AFTER = sql`kind in ('s3', 'gcs', 'azure', 'local')`;

/**
 * Datasources in Google Cloud Storage (`gcs`) and Azure Blob (`azure`, whose storage account is kept in
 * `account`), and the S3-compatible preset a datasource was made with (`preset`: r2, minio, …).
 * SQLite cannot change a CHECK constraint in place, so there the table is rebuilt with its rows.
 */
export function moreStorageKindsMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres') {
        await sql`alter table datasources drop constraint datasources_kind_check`.execute(db);
        await sql`alter table datasources add constraint datasources_kind_check check (${KINDS_AFTER})`.execute(db);
        await db.schema.alterTable('datasources').addColumn('account', 'text').execute();
        await db.schema.alterTable('datasources').addColumn('preset', 'text').execute();
        return;
      }
      await rebuildSqliteTable(db, KINDS_AFTER, ['account', 'preset']);
    },
    async down(db: Kysely<unknown>) {
      await sql`delete from datasources where kind not in ('s3', 'local')`.execute(db);
      if (dialect === 'postgres') {
        await sql`alter table datasources drop constraint datasources_kind_check`.execute(db);
        await sql`alter table datasources add constraint datasources_kind_check check (${KINDS_BEFORE})`.execute(db);
        await db.schema.alterTable('datasources').dropColumn('preset').execute();
        await db.schema.alterTable('datasources').dropColumn('account').execute();
        return;
      }
      await rebuildSqliteTable(db, KINDS_BEFORE, []);
    },
  };
}

const COMMON_COLUMNS = [
  'id',
  'dataset_id',
  'purpose',
  'kind',
  'container',
  'prefix',
  'region',
  'endpoint',
  'path_style',
  'access_key_id',
  'secret_ciphertext',
  'sse_kms_key_id',
  'role_arn',
  'external_id',
  'role_session_seconds',
  'created_at',
];

/** The datasources table as 0001 made it, with `kindCheck` and the optional text columns `extra`; rows copied over. */
async function rebuildSqliteTable(db: Kysely<unknown>, kindCheck: ReturnType<typeof sql>, extra: readonly string[]): Promise<void> {
  let table = db.schema
    .createTable('datasources_rebuilt')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('input', 'output')`))
    .addColumn('kind', 'text', (c) => c.notNull().check(kindCheck))
    .addColumn('container', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('region', 'text')
    .addColumn('endpoint', 'text')
    .addColumn('path_style', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('access_key_id', 'text')
    .addColumn('secret_ciphertext', 'text')
    .addColumn('sse_kms_key_id', 'text')
    .addColumn('role_arn', 'text')
    .addColumn('external_id', 'text')
    .addColumn('role_session_seconds', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull());
  for (const column of extra) table = table.addColumn(column, 'text');
  await table.addUniqueConstraint('datasources_dataset_purpose_unique', ['dataset_id', 'purpose']).execute();
  const columns = sql.join(COMMON_COLUMNS.map((column) => sql.ref(column)));
  await sql`insert into datasources_rebuilt (${columns}) select ${columns} from datasources`.execute(db);
  await db.schema.dropTable('datasources').execute();
  await sql`alter table datasources_rebuilt rename to datasources`.execute(db);
}

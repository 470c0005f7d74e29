/**
 * What the name grams of migration 0017 cost a sync (issue 21): inserting N realistic samples
 * (`bench/api-samples.ts`) in transactions of 1,000 as a sync's listing pages do, into a fresh catalog,
 * three ways in rotating order each round: the insert statement as it was before 0017 (PostgreSQL's now
 * also notes the ids it inserted for the grams to count later; SQLite's is unchanged), the insert as it is,
 * and the insert as it is followed by the one pass that counts the grams of every key (what the end of a
 * sync runs). Prints the median of each, the ratios to the first and the load average.
 *
 *   npm run bench:name-grams                          # 200,000 rows, both dialects, 3 rounds
 *   npm run bench:name-grams -- --rows 1000000 --rounds 3 --dialect sqlite
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { insertDataset } from '../src/catalog/dataset.repository.js';
import { catchUpNameGrams } from '../src/catalog/name-gram.repository.js';
import { insertSamples, type NewSample } from '../src/catalog/sample.repository.js';
import { openDatabase } from '../src/db/database.js';
import type { Dialect } from '../src/db/dialect.js';
import type { Executor } from '../src/db/executor.js';
import { generateKeys, sampleRow } from './api-samples.js';
import { cleanUpAll, cleanUpOnSignals, makeTempDir } from './cleanup.js';
import { createFreshPostgresDatabase } from './postgres-database.js';
import { median } from './statistics.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '3' }, dialect: { type: 'string', multiple: true } },
});
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const dialects = (values.dialect ?? ['sqlite', 'postgres']) as Dialect[];
const PAGE = 1_000;

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

const COLUMNS = [
  ['dataset_id', 'datasetId', 'text[]'],
  ['key', 'key', 'text[]'],
  ['size', 'size', 'int8[]'],
  ['etag', 'etag', 'text[]'],
  ['last_modified', 'lastModified', 'text[]'],
  ['width', 'width', 'int4[]'],
  ['height', 'height', 'int4[]'],
  ['format', 'format', 'text[]'],
  ['status', 'status', 'text[]'],
  ['error', 'error', 'text[]'],
  ['first_seen_at', 'firstSeenAt', 'text[]'],
  ['last_seen_at', 'lastSeenAt', 'text[]'],
  ['seen_generation', 'seenGeneration', 'int4[]'],
  ['removed_at', 'removedAt', 'text[]'],
] as const;

/** insertSamples before migration 0017: on PostgreSQL without noting the inserted ids; on SQLite the same statement as now. */
async function insertSamplesBefore(db: Executor, dialect: Dialect, samples: readonly NewSample[]): Promise<void> {
  if (dialect === 'sqlite') return insertSamples(db, dialect, samples);
  const columns = sql.join(COLUMNS.map(([column]) => sql.ref(column)));
  const arrays = COLUMNS.map(([, field, type]) => sql`${samples.map((sample) => sample[field] ?? null)}::${sql.raw(type)}`);
  await sql`insert into samples (${columns}) select * from unnest(${sql.join(arrays)})`.execute(db);
}

type Way = 'before' | 'after' | 'after + grams';
const WAYS: Way[] = ['before', 'after', 'after + grams'];

async function measure(dialect: Dialect, way: Way, keys: ReturnType<typeof generateKeys>): Promise<{ insertMs: number; gramsMs: number }> {
  const home = await makeTempDir('winnow-bench-grams-');
  const postgres = dialect === 'postgres' ? await createFreshPostgresDatabase() : undefined;
  const database = await openDatabase({ home: home.path, databaseUrl: postgres?.url });
  try {
    const datasetId = randomUUID();
    const now = new Date().toISOString();
    await insertDataset(database.db, {
      id: datasetId,
      name: 'bench',
      includeGlobs: [],
      excludeGlobs: [],
      hasRelevantFilenames: false,
      thumbnailSize: null,
      createdAt: now,
      updatedAt: now,
    });
    const samples = keys.map((sample, index) => ({ ...sampleRow(datasetId, sample, index, now), removedAt: null }));
    const insert = way === 'before' ? insertSamplesBefore : insertSamples;
    const started = performance.now();
    for (let first = 0; first < samples.length; first += PAGE) {
      await database.db.transaction().execute((trx) => insert(trx, dialect, samples.slice(first, first + PAGE)));
    }
    const insertMs = performance.now() - started;
    if (way !== 'after + grams') return { insertMs, gramsMs: 0 };
    const gramsStarted = performance.now();
    await catchUpNameGrams(database.db, dialect, datasetId);
    return { insertMs, gramsMs: performance.now() - gramsStarted };
  } finally {
    await database.close();
    await postgres?.drop();
    await home.remove();
  }
}

cleanUpOnSignals();
try {
  console.log(`bench:name-grams — ${rows.toLocaleString('en-US')} samples in transactions of ${PAGE}, ${rounds} rounds (load ${load()})`);
  const keys = generateKeys(rows);
  for (const dialect of dialects) {
    const totals = new Map<Way, number[]>(WAYS.map((way) => [way, []]));
    const grams: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (let turn = 0; turn < WAYS.length; turn++) {
        const way = WAYS[(round + turn) % WAYS.length]!;
        const { insertMs, gramsMs } = await measure(dialect, way, keys);
        totals.get(way)!.push(insertMs + gramsMs);
        if (way === 'after + grams') grams.push(gramsMs);
        console.log(
          `  ${dialect} round ${round + 1} ${way.padEnd(13)} ${((insertMs + gramsMs) / 1000).toFixed(1)} s${gramsMs > 0 ? ` (grams ${(gramsMs / 1000).toFixed(1)} s)` : ''} (load ${load()})`,
        );
      }
    }
    const base = median(totals.get('before')!);
    console.log(`${dialect}: median of ${rounds}, load average ${load()}`);
    for (const way of WAYS) {
      const ms = median(totals.get(way)!);
      console.log(
        `  ${way.padEnd(13)} ${(ms / 1000).toFixed(1)} s  ${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s  ${(ms / base).toFixed(2)}x`,
      );
    }
    console.log(`  of which counting the grams: ${(median(grams) / 1000).toFixed(1)} s`);
  }
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanUpAll();
}

/**
 * Grid filters at scale (issue 21): one page of 200 samples per filter from a catalog of
 * 1,000,000 samples, on SQLite and PostgreSQL, with the page query as it is (extension column
 * index, trigram indexes) against the query as it was (every filter a LIKE on lower(key),
 * bench/browse-before.ts) on the same catalog, in alternating rounds. Each filter's pages must
 * hold the same keys both ways; p50/p99 per filter, per dialect, with the load average.
 *
 *   npm run bench:browse                           # 1,000,000 rows, both dialects, 11 rounds
 *   npm run bench:browse -- --rows 200000 --rounds 5 --dialect sqlite
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { findDatasetByName } from '../src/catalog/dataset.repository.js';
import { catchUpNameGrams } from '../src/catalog/name-gram.repository.js';
import { insertSamples, querySamples, type SampleQuery } from '../src/catalog/sample.repository.js';
import { loadConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import { DATASET_NAME, fillCatalog } from './api-catalog.js';
import { sampleRow } from './api-samples.js';
import { querySamplesBefore } from './browse-before.js';
import { cleanUpAll, cleanUpOnSignals } from './cleanup.js';
import type { CatalogDialect } from './winnow-cli.js';

type Filter = Omit<Partial<SampleQuery>, 'limit'>;

/** Rare keys added to the generated catalog: 40 `.bmp` images whose names hold "rare-bmp" and "ß" (in no other key). */
const RARE_KEYS = Array.from({ length: 40 }, (_, i) => `${['cows', 'pigs', 'sheep', 'ducks 🦆'][i % 4]}/2023-0${1 + (i % 9)}/cam-01/rare-bmp-${i} ß.bmp`);
/** 0.3% of the catalog, spread over its folders: the only keys holding "q" and "x" (a short text neither rare nor common). */
const SCAN_KEYS = (rows: number) =>
  Array.from(
    { length: Math.round(rows * 0.003) },
    (_, i) => `${['cows', 'pigs', 'sheep', 'hens', 'vaches'][i % 5]}/202${2 + (i % 3)}-0${1 + (i % 9)}/cam-02/Qx-scan ${i}.jpg`,
  );

const FILTERS: Array<[string, Filter]> = [
  ['no filter', {}],
  ['status=error (1%)', { status: 'error' }],
  ['folder=cows/2023-05/', { folder: 'cows/2023-05/' }],
  ['ext=jpg (68%)', { extension: 'jpg' }],
  ['ext=tif (2%)', { extension: 'tif' }],
  ['ext=bmp (40 rows)', { extension: 'bmp' }],
  ['ext=gif (none)', { extension: 'gif' }],
  ['q=img_ (80%)', { nameContains: 'img_' }],
  ['q=kuh-müller (5%)', { nameContains: 'kuh-müller' }],
  ['q=100%-crop (4%)', { nameContains: '100%-crop' }],
  ['q=shot #00 (0.3%)', { nameContains: 'shot #00' }],
  ['q=rare-bmp (40 rows)', { nameContains: 'rare-bmp' }],
  ['q=0123456 (1 row)', { nameContains: '0123456' }],
  ['q=zebra (none)', { nameContains: 'zebra' }],
  ['q=é (1 char)', { nameContains: 'é' }],
  ['q=#2 (2 chars)', { nameContains: '#2' }],
  ['q=zq (2 chars, none)', { nameContains: 'zq' }],
  ['q=z (1 char, none)', { nameContains: 'z' }],
  ['q=ß (1 char, 40 rows)', { nameContains: 'ß' }],
  ['q=bm (2 chars, 40 rows)', { nameContains: 'bm' }],
  ['q=x (1 char, 0.3%)', { nameContains: 'x' }],
  ['q=qx (2 chars, 0.3%)', { nameContains: 'qx' }],
  ['q=qx, date desc', { nameContains: 'qx', sort: 'date', order: 'desc' }],
  ['status=error + q=ß', { status: 'error', nameContains: 'ß' }],
  ['ext=jpg + q=#2', { extension: 'jpg', nameContains: '#2' }],
  ['q=kuh-müller after pigs/', { nameContains: 'kuh-müller', after: { key: 'pigs/' } }],
  ['ext=png, date desc', { extension: 'png', sort: 'date', order: 'desc' }],
  ['ext=tif, date desc', { extension: 'tif', sort: 'date', order: 'desc' }],
  ['ext=bmp, date desc', { extension: 'bmp', sort: 'date', order: 'desc' }],
  ['q=img_, date asc', { nameContains: 'img_', sort: 'date' }],
  ['q=0123456, date desc', { nameContains: '0123456', sort: 'date', order: 'desc' }],
  ['ext=png + q=kuh', { extension: 'png', nameContains: 'kuh' }],
  ['status=error + q=rare', { status: 'error', nameContains: 'rare' }],
];

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '11' }, dialect: { type: 'string', multiple: true } },
});
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const dialects = (values.dialect ?? ['sqlite', 'postgres']) as CatalogDialect[];

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function benchDialect(dialect: CatalogDialect): Promise<void> {
  console.log(`\n${dialect}: filling ${rows.toLocaleString('en-US')} samples (load ${load()})`);
  const catalog = await fillCatalog(dialect, rows);
  console.log(
    `  filled in ${(catalog.insertMs / 1000).toFixed(1)} s (${Math.round(catalog.rowsPerSecond).toLocaleString('en-US')} rows/s, indexes and triggers included)`,
  );
  const context = await createContext(loadConfig({}, catalog.env));
  try {
    const db = context.database.db;
    const dataset = (await findDatasetByName(db, DATASET_NAME))!;
    const syncedAt = new Date('2025-01-02T03:04:05.000Z').toISOString();
    const rare = [...RARE_KEYS, ...SCAN_KEYS(rows)].map((key, i) => ({
      ...sampleRow(dataset.id, { key, month: 14 }, rows + i, syncedAt),
      removedAt: null,
      status: i % 2 ? ('ok' as const) : ('error' as const),
    }));
    await db.transaction().execute((trx) => insertSamples(trx, dialect, rare));
    // What the end of a sync does (the first short query would do it otherwise): count the name grams of every key once.
    const gramsStarted = performance.now();
    await catchUpNameGrams(db, dialect, dataset.id);
    console.log(
      `  name grams of ${(rows + rare.length).toLocaleString('en-US')} keys counted in ${((performance.now() - gramsStarted) / 1000).toFixed(1)} s (load ${load()})`,
    );
    const timings = new Map<string, { before: number[]; after: number[] }>(FILTERS.map(([name]) => [name, { before: [], after: [] }]));
    const mismatches: string[] = [];
    console.log(`  ${rounds} rounds of ${FILTERS.length} filters, before and after alternating (load ${load()})`);
    for (let round = 0; round < rounds; round++) {
      for (const [name, filter] of FILTERS) {
        const query: SampleQuery = { sort: 'key', order: 'asc', limit: 201, ...filter };
        const runBefore = async () => {
          const started = performance.now();
          const keys = await querySamplesBefore(db, dataset.id, query);
          timings.get(name)!.before.push(performance.now() - started);
          return keys;
        };
        const runAfter = async () => {
          const started = performance.now();
          const keys = (await querySamples(db, context.database.dialect, dataset.id, query)).map((sample) => sample.key);
          timings.get(name)!.after.push(performance.now() - started);
          return keys;
        };
        let before: string[];
        let after: string[];
        if (round % 2 === 0) {
          before = await runBefore();
          after = await runAfter();
        } else {
          after = await runAfter();
          before = await runBefore();
        }
        if (round === 0 && JSON.stringify(before) !== JSON.stringify(after)) mismatches.push(`${name}: ${before.length} keys before, ${after.length} after`);
      }
    }
    console.log(`  load average ${load()}`);
    console.log(
      `  ${'filter'.padEnd(30)} ${'before p50'.padStart(11)} ${'p99'.padStart(8)} ${'after p50'.padStart(10)} ${'p99'.padStart(8)} ${'speed-up'.padStart(9)}`,
    );
    for (const [name, { before, after }] of timings) {
      const b = before.sort((x, y) => x - y);
      const a = after.sort((x, y) => x - y);
      const ms = (value: number) => `${value.toFixed(1)} ms`;
      console.log(
        `  ${name.padEnd(30)} ${ms(percentile(b, 50)).padStart(11)} ${ms(percentile(b, 99)).padStart(8)} ${ms(percentile(a, 50)).padStart(10)} ${ms(percentile(a, 99)).padStart(8)} ${`${(percentile(b, 50) / percentile(a, 50)).toFixed(1)}x`.padStart(9)}`,
      );
    }
    console.log(mismatches.length === 0 ? '  every filter: the same keys before and after' : `  DIFFERENT RESULTS:\n    ${mismatches.join('\n    ')}`);
    if (mismatches.length > 0) process.exitCode = 1;
  } finally {
    await context.close();
    await catalog.remove();
  }
}

cleanUpOnSignals();
try {
  console.log(`bench:browse — ${rows.toLocaleString('en-US')} samples, ${rounds} rounds, page of 200 (load ${load()})`);
  for (const dialect of dialects) await benchDialect(dialect);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanUpAll();
}

/**
 * Paged vector reads in sample-id order (listVectorsAfter, listDuplicateRowsAfter, listVectorSample) on both
 * dialects: the plan of one page deep in the set, the time of that page, and a full pass of 1,000-vector pages.
 *
 *   npm run bench:vector-pages                                     # 100,000 x 1,792 on SQLite and PostgreSQL
 *   npm run bench:vector-pages -- --n 200000 --d 512 --dialect postgres
 */
import { loadavg } from 'node:os';
import { sql, type KyselyPlugin, type QueryId, type RootOperationNode } from 'kysely';
import { listDuplicateRowsAfter, listVectorSample, listVectorsAfter, recordEmbeddings, type ModelVersion } from '../src/catalog/embedding.repository.js';
import type { Dialect } from '../src/db/dialect.js';
import type { Executor } from '../src/db/executor.js';
import { createTestDatabase } from '../test/support/databases.js';
import { seedEmbeddingTarget } from './embedding-target.js';

const argv = process.argv.slice(2);
const option = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const N = Number(option('--n') ?? 100_000);
const D = Number(option('--d') ?? 1_792);
const dialects = (option('--dialect')?.split(',') ?? ['sqlite', 'postgres']) as Dialect[];
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** Records the operation nodes a call runs, so the bench can show the plan of exactly what the repository sent. */
function recorder(): KyselyPlugin & { nodes: RootOperationNode[] } {
  // Subqueries pass through transformQuery too; only the statements that return a result were sent.
  const seen = new Map<QueryId, RootOperationNode>();
  const nodes: RootOperationNode[] = [];
  return {
    nodes,
    transformQuery: (args) => (seen.set(args.queryId, args.node), args.node),
    transformResult: async (args) => (nodes.push(seen.get(args.queryId)!), args.result),
  };
}

async function plans(db: Executor, dialect: Dialect, call: (db: Executor) => Promise<unknown>): Promise<string[]> {
  const trace = recorder();
  await call(db.withPlugin(trace));
  const out: string[] = [];
  for (const node of trace.nodes) {
    const compiled = db.getExecutor().compileQuery(node, { queryId: 'bench' });
    const prefix = dialect === 'postgres' ? 'explain (analyze, buffers) ' : 'explain query plan ';
    const result = await db.executeQuery<Record<string, unknown>>({ ...compiled, sql: prefix + compiled.sql });
    out.push(
      result.rows
        .map((row) => (dialect === 'postgres' ? String(row['QUERY PLAN']) : `${String(row.parent)}>${String(row.id)} ${String(row.detail)}`))
        .join('\n'),
    );
  }
  return out;
}

async function fill(db: Executor, dialect: Dialect): Promise<{ datasetId: string; model: ModelVersion; sampleIds: number[] }> {
  const { datasetId, sampleIds, model } = await seedEmbeddingTarget(db, dialect, N, D);
  const distinct = 1_000;
  const vectors = Float32Array.from({ length: distinct * D }, () => Math.random() - 0.5);
  const now = new Date().toISOString();
  for (let start = 0; start < N; start += 2_000) {
    const batch = sampleIds.slice(start, start + 2_000).map((sampleId, i) => ({
      sampleId,
      datasetId,
      sourceEtag: 'e',
      status: 'ok' as const,
      vector: vectors.subarray(((start + i) % distinct) * D, (((start + i) % distinct) + 1) * D),
      descriptor: new Int8Array(64),
      error: null,
      updatedAt: now,
    }));
    await db.transaction().execute((trx) => recordEmbeddings(trx, model, batch));
  }
  await sql`analyze`.execute(db);
  return { datasetId, model, sampleIds };
}

async function time<T>(call: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await call();
  return { ms: performance.now() - started, result };
}

for (const dialect of dialects) {
  const test = await createTestDatabase(dialect);
  try {
    const db = test.database.db;
    const filled = await time(() => fill(db, dialect));
    const { datasetId, model, sampleIds } = filled.result;
    console.log(`\n${dialect}: ${N.toLocaleString('en-US')} x ${D} filled in ${(filled.ms / 1000).toFixed(1)} s (load ${load()})`);
    const deep = sampleIds[Math.floor(N * 0.9)]!;
    for (const at of [0, deep]) {
      const queries = await plans(db, dialect, (traced) => listVectorsAfter(traced, datasetId, model, at, 1_000));
      console.log(`plans of listVectorsAfter, 1,000 after id ${at} (${queries.length} queries):\n${queries.join('\n--\n')}`);
    }
    const reads: Array<
      [string, (db: Executor, datasetId: string, model: ModelVersion, afterId: number, limit: number) => Promise<Array<{ sampleId: number }>>]
    > = [
      ['listVectorsAfter', listVectorsAfter],
      ['listDuplicateRowsAfter', listDuplicateRowsAfter],
    ];
    for (const [name, read] of reads) {
      const pages: number[] = [];
      for (let round = 0; round < 5; round++) pages.push((await time(() => read(db, datasetId, model, deep, 1_000))).ms);
      let rows = 0;
      const pass = await time(async () => {
        for (let afterId = 0; ;) {
          const page = await read(db, datasetId, model, afterId, 1_000);
          if (page.length === 0) return;
          rows += page.length;
          afterId = page.at(-1)!.sampleId;
        }
      });
      console.log(
        `${name}: page of 1,000 deep in the set ${Math.min(...pages).toFixed(1)} ms (best of 5), full pass of ${rows.toLocaleString('en-US')} in ${(pass.ms / 1000).toFixed(2)} s (load ${load()})`,
      );
    }
    // Peer in the same run: the same 1,000 vectors by primary key alone, no join and no filter (what moving the bytes costs).
    const floor: number[] = [];
    for (let round = 0; round < 5; round++) {
      const read = () =>
        db
          .selectFrom('embeddings')
          .select(['sample_id', 'vector'])
          .where('model_id', '=', model.id)
          .where('sample_id', '>', deep)
          .orderBy('sample_id')
          .limit(1_000)
          .execute();
      floor.push((await time(read)).ms);
    }
    console.log(`peer: 1,000 vectors by primary key alone, deep in the set ${Math.min(...floor).toFixed(1)} ms (best of 5, load ${load()})`);
    const sample = await time(() => listVectorSample(db, datasetId, model, Math.floor(N / 2_000), 2_000));
    console.log(`listVectorSample (2,000 of ${N.toLocaleString('en-US')}): ${sample.ms.toFixed(0)} ms, ${sample.result.length} rows (load ${load()})`);
  } finally {
    await test.drop();
  }
}

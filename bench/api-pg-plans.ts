/**
 * PostgreSQL's plan for the grid's page query at a few depths of the key space: the SQL that
 * `querySamples` builds, under EXPLAIN ANALYZE. A plan that turns from an index scan in key
 * order into a scan-and-sort of the whole dataset is what makes some pages slow.
 */
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { querySamples, type SampleQuery } from '../src/catalog/sample.repository.js';
import type { DB } from '../src/db/schema.js';

export interface PagePlan {
  query: string;
  /** Share of the dataset's keys before the cursor. */
  depth: number;
  limit: number;
  /** The plan's node types, outermost first, e.g. `Limit > Index Scan`. */
  plan: string;
  ms: number;
}

interface PlanNode {
  'Node Type': string;
  Plans?: PlanNode[];
}

function nodeTypes(node: PlanNode): string[] {
  return [node['Node Type'], ...(node.Plans?.[0] ? nodeTypes(node.Plans[0]) : [])];
}

/** The SQL and parameters querySamples sends, captured from Kysely's log without a second copy of the query. */
async function compiledQuery(databaseUrl: string, datasetId: string, query: SampleQuery): Promise<CompiledQuery> {
  let captured: CompiledQuery | undefined;
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 1 }) }),
    log: (event) => {
      captured = event.query;
    },
  });
  try {
    await querySamples(db, 'postgres', datasetId, query);
  } finally {
    await db.destroy();
  }
  return captured!;
}

export async function explainPagePlans(
  databaseUrl: string,
  extensions: ReadonlyArray<string | undefined>,
  depths: readonly number[],
  limits: readonly number[],
): Promise<PagePlan[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: datasets } = await client.query<{ id: string; live: string }>(
      `select dataset_id as id, count(*) as live from samples where removed_at is null group by dataset_id`,
    );
    const { id: datasetId, live } = datasets[0]!;
    const plans: PagePlan[] = [];
    for (const extension of extensions) {
      for (const depth of depths) {
        const { rows } = await client.query<{ key: string }>(
          `select key from samples where dataset_id = $1 and removed_at is null order by key offset $2 limit 1`,
          [datasetId, Math.floor(Number(live) * depth)],
        );
        for (const limit of limits) {
          const query: SampleQuery = { sort: 'key', order: 'asc', limit: limit + 1, extension, after: depth === 0 ? undefined : { key: rows[0]!.key } };
          const compiled = await compiledQuery(databaseUrl, datasetId, query);
          const { rows: explained } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> }>(
            `explain (analyze, format json) ${compiled.sql}`,
            [...compiled.parameters],
          );
          const [result] = explained[0]!['QUERY PLAN'];
          plans.push({
            query: extension === undefined ? 'sort=key' : `sort=key&extension=${extension}`,
            depth,
            limit,
            plan: nodeTypes(result!.Plan).join(' > '),
            ms: result!['Execution Time'],
          });
        }
      }
    }
    return plans;
  } finally {
    await client.end();
  }
}

import { z } from 'zod';
import type { SampleStatus } from '../db/schema.js';
import type { Dataset } from './dataset.repository.js';
import { AppError } from '../errors.js';
import type { CatalogDeps } from './dataset.service.js';
import { querySamples, type SampleQuery } from './sample.repository.js';
import { toSampleViews, type SampleView } from './sample.service.js';

export interface BrowseQuery {
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
  /** Or: start after this key (key order only), as `winnow samples list --after` does. */
  afterKey?: string | undefined;
  status?: SampleStatus | undefined;
  extension?: string | undefined;
  folder?: string | undefined;
  q?: string | undefined;
  /** Only samples in this tag. */
  tag?: string | undefined;
  sort: 'key' | 'date';
  order: 'asc' | 'desc';
}

export interface SamplePage {
  samples: SampleView[];
  /** Pass back as `cursor` for the next page; null at the end. */
  nextCursor: string | null;
}

const cursorSchema = z.object({ k: z.string(), d: z.string().optional() });

/** One page of the grid: keyset-paginated, filtered and sorted; never OFFSET, so page 5,000 costs what page 1 does. */
export async function browseSamples(deps: Pick<CatalogDeps, 'database'>, dataset: Pick<Dataset, 'id'>, query: BrowseQuery): Promise<SamplePage> {
  const folder = query.folder === undefined || query.folder === '' ? undefined : query.folder.endsWith('/') ? query.folder : `${query.folder}/`;
  const sampleQuery: SampleQuery = {
    status: query.status,
    extension: query.extension?.replace(/^\./, ''),
    folder,
    nameContains: query.q,
    tag: query.tag === '' ? undefined : query.tag,
    sort: query.sort,
    order: query.order,
    after: query.cursor !== undefined ? decodeCursor(query.cursor) : query.afterKey !== undefined && query.sort === 'key' ? { key: query.afterKey } : undefined,
    limit: query.limit + 1,
  };
  const rows = await querySamples(deps.database.db, deps.database.dialect, dataset.id, sampleQuery);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    samples: await toSampleViews(deps.database.db, page),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ k: last.key, d: query.sort === 'date' ? (last.lastModified ?? '') : undefined }) : null,
  };
}

function encodeCursor(cursor: z.infer<typeof cursorSchema>): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(cursor: string): { key: string; date?: string } {
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { key: parsed.k, date: parsed.d };
  } catch {
    throw new AppError('InputInvalid', 'The page cursor is not one this server issued.', { hint: 'Start again without a cursor.' });
  }
}

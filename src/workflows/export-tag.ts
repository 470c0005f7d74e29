import { requireDataset } from '../catalog/dataset.service.js';
import { findSamplesByIds } from '../catalog/sample.repository.js';
import { listTagMemberIds } from '../catalog/tag.repository.js';
import { encodeKeyPath, sampleUrlSigner } from '../datasources/sample-urls.js';
import { AppError } from '../errors.js';
import { formatLocation, winnowPrefix } from '../model/location.js';
import { openDatasetStores } from './dataset-stores.js';
import { requireTag } from './tags.js';
import type { WorkflowDeps } from './workflow-deps.js';

export type TagExportFormat = 'txt' | 'json' | 'csv';

export interface TagExportRequest {
  format: TagExportFormat;
  /** Add each image's URL (presigned for S3, valid for the URL lifetime) to JSON and CSV. */
  urls: boolean;
  /** Write the file under `<output>/.winnow/exports/` instead of returning it. */
  toOutput: boolean;
}

export interface TagExport {
  /** The file's text, when not written to the output location. */
  text?: string | undefined;
  /** Where it was written, with --to-output. */
  location?: string | undefined;
  count: number;
  contentType: string;
}

const CONTENT_TYPES: Record<TagExportFormat, string> = { txt: 'text/plain; charset=utf-8', json: 'application/json', csv: 'text/csv; charset=utf-8' };

/**
 * `winnow tags export`: a tag's samples in its order. txt is one key (relative to the input) per
 * line, usable as `--relevant-filenames`; json and csv add size and dimensions, and URLs when asked.
 */
export async function exportTag(
  deps: Pick<WorkflowDeps, 'config' | 'database' | 'secretBox' | 'access' | 'clock' | 'log'>,
  datasetName: string,
  tagName: string,
  request: TagExportRequest,
): Promise<TagExport> {
  if (request.urls && request.format === 'txt') throw new AppError('InputInvalid', 'A txt export holds keys only; ask for json or csv to add URLs.');
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const tag = await requireTag(deps, dataset, tagName);
  const ids = await listTagMemberIds(deps.database.db, tag.id);
  const byId = new Map((await findSamplesByIds(deps.database.db, ids)).map((sample) => [sample.id, sample]));
  const samples = ids.map((id) => byId.get(id)!).filter((sample) => sample !== undefined);
  const stores = request.urls || request.toOutput ? await openDatasetStores(deps, dataset.name, datasources) : undefined;
  const urlOf =
    request.urls && stores
      ? sampleUrlSigner(stores.input, {
          ttlSeconds: deps.config.urlTtlSeconds,
          fileRouteUrl: (key) => `/api/datasets/${encodeURIComponent(dataset.name)}/files/${encodeKeyPath(key)}`,
        })
      : undefined;
  const rows = await Promise.all(
    samples.map(async (sample) => ({
      key: sample.key,
      size: sample.size,
      width: sample.width,
      height: sample.height,
      ...(urlOf ? { url: (await urlOf(sample.key)).url } : {}),
    })),
  );
  const text =
    request.format === 'txt'
      ? rows.map((row) => `${row.key}\n`).join('')
      : request.format === 'json'
        ? `${JSON.stringify({ dataset: dataset.name, tag: tag.name, description: tag.description, exportedAt: deps.clock().toISOString(), count: rows.length, samples: rows }, null, 2)}\n`
        : csvOf(rows, request.urls);
  if (!request.toOutput) return { text, count: rows.length, contentType: CONTENT_TYPES[request.format] };
  const key = `${winnowPrefix(stores!.output.location)}exports/${tag.name}.${request.format}`;
  await stores!.output.store.write(key, text, CONTENT_TYPES[request.format]);
  const location = `${formatLocation(stores!.output.location)}${key.slice(stores!.output.location.prefix.length)}`;
  deps.log.info({ dataset: dataset.name, tag: tag.name, location }, 'tag exported');
  return { location, count: rows.length, contentType: CONTENT_TYPES[request.format] };
}

function csvOf(rows: ReadonlyArray<{ key: string; size: number; width: number | null; height: number | null; url?: string }>, urls: boolean): string {
  const cell = (value: string | number | null | undefined) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const header = ['key', 'size', 'width', 'height', ...(urls ? ['url'] : [])].join(',');
  return `${header}\n${rows.map((row) => [row.key, row.size, row.width, row.height, ...(urls ? [row.url] : [])].map(cell).join(',')).join('\n')}\n`;
}

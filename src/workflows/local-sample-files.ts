import type { FileHandle } from 'node:fs/promises';
import { findSample } from '../catalog/sample.service.js';
import { openLocalFile } from '../datasources/local.object-store.js';
import { AppError, quoteInput } from '../errors.js';
import type { DatasetStoreCache } from './dataset-store-cache.js';
import type { WorkflowDeps } from './workflow-deps.js';

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  avif: 'image/avif',
};

/**
 * Opens the image or thumbnail of a local-folder dataset's sample for Winnow to serve: only a
 * catalogued sample's file, checked on the file actually opened (see openLocalFile). The caller closes it.
 */
export async function openLocalSampleFile(
  deps: Pick<WorkflowDeps, 'database' | 'access'>,
  stores: DatasetStoreCache,
  datasetName: string,
  key: string,
  which: 'image' | 'thumbnail',
): Promise<{ handle: FileHandle; contentType: string }> {
  const bound = (await stores.get(datasetName)).stores[which === 'image' ? 'input' : 'output'];
  if (bound.location.kind !== 'local') throw new AppError('NotFound', 'Only local-folder datasets are served by Winnow; S3 samples use presigned URLs.');
  const sample = await findSample(deps, datasetName, key);
  const fileKey = which === 'image' ? sample.key : sample.thumbnail?.key;
  if (fileKey === undefined) throw new AppError('NotFound', `Sample ${quoteInput(key)} of dataset "${datasetName}" has no thumbnail.`, { hint: 'Make thumbnails with `winnow thumbnails <dataset>`.', webHint: 'The grid shows the full image instead.' });
  const handle = await openLocalFile(bound.location.root, fileKey, deps.access.dataDir);
  const contentType = which === 'thumbnail' ? 'image/webp' : (CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream');
  return { handle, contentType };
}

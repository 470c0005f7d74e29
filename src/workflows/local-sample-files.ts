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
 * A sample's image or thumbnail as Winnow serves it: a local file (checked on the file actually opened,
 * see openLocalFile; the caller closes it), or an object Winnow reads from its store because no URL may
 * be handed out for it (an Azure dataset connected with a SAS token).
 */
export type ServedSampleFile =
  | { kind: 'file'; handle: FileHandle; contentType: string }
  | {
      kind: 'object';
      contentType: string;
      /** Known for images (the catalogued size); thumbnails are read whole. */
      size: number | undefined;
      readRange(start: number, endInclusive: number): Promise<Uint8Array>;
      readAll(): Promise<Uint8Array>;
    };

/** Opens the image or thumbnail of a catalogued sample of a dataset whose bytes Winnow serves itself. */
export async function openServedSampleFile(
  deps: Pick<WorkflowDeps, 'database' | 'access' | 'config'>,
  stores: DatasetStoreCache,
  datasetName: string,
  key: string,
  which: 'image' | 'thumbnail',
): Promise<ServedSampleFile> {
  const bound = (await stores.get(datasetName)).stores[which === 'image' ? 'input' : 'output'];
  if (bound.browserUrls !== 'served')
    throw new AppError('NotFound', 'The samples of this dataset are fetched from the storage with presigned URLs, not through Winnow.');
  const sample = await findSample(deps, datasetName, key);
  const fileKey = which === 'image' ? sample.key : sample.thumbnail?.key;
  if (fileKey === undefined)
    throw new AppError('NotFound', `Sample ${quoteInput(key)} of dataset "${datasetName}" has no thumbnail.`, {
      hint: 'Make thumbnails with `winnow thumbnails <dataset>`.',
      webHint: 'The grid shows the full image instead.',
    });
  const contentType = CONTENT_TYPES[fileKey.slice(fileKey.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
  if (bound.location.kind === 'local') return { kind: 'file', handle: await openLocalFile(bound.location.root, fileKey, deps.access.dataDir), contentType };
  // Image keys are relative to the input prefix; thumbnail keys are full keys of the output.
  const objectKey = which === 'image' ? `${bound.prefix}${fileKey}` : fileKey;
  const maxBytes = deps.config.thumbnailBufferMb * 1024 * 1024;
  return {
    kind: 'object',
    contentType,
    size: which === 'image' ? sample.size : undefined,
    readRange: (start, endInclusive) => bound.store.readRange(objectKey, start, endInclusive),
    readAll: async () => (await bound.store.readObject(objectKey, maxBytes)).body,
  };
}

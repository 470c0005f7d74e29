import type { Sample, SampleStatus } from './sample.repository.js';
import { AppError, quoteInput } from '../errors.js';
import type { CatalogDeps } from './dataset.service.js';
import { requireDataset } from './dataset.service.js';
import type { Executor } from '../db/executor.js';
import { listSamplesAfter } from './sample.repository.js';
import { findCurrentThumbnails } from './thumbnail.repository.js';

export interface SampleView {
  key: string;
  size: number;
  width: number | null;
  height: number | null;
  format: string | null;
  status: SampleStatus;
  error: string | null;
  etag: string | null;
  lastModified: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  /** The thumbnail made from the object's present content, or null: then show the full image. */
  thumbnail: SampleThumbnail | null;
  /** Why the present content has no thumbnail (corrupt, too large, a storage failure), when a job tried. */
  thumbnailError: string | null;
}

export interface SampleThumbnail {
  /** Full key in the dataset's output location, e.g. `projects/farm/.winnow/thumbnails/cows/a.jpg_thumb.jpg`. */
  key: string;
  width: number;
  height: number;
}

/** Views of sample rows with their thumbnails (one extra query for the whole page). */
export async function toSampleViews(db: Executor, samples: readonly Sample[]): Promise<SampleView[]> {
  const thumbnails = await findCurrentThumbnails(db, samples);
  return samples.map((sample) => {
    const thumbnail = thumbnails.get(sample.id);
    return {
      ...toSampleView(sample),
      thumbnail:
        thumbnail?.status === 'ok' && thumbnail.key !== null ? { key: thumbnail.key, width: thumbnail.width ?? 0, height: thumbnail.height ?? 0 } : null,
      thumbnailError: thumbnail?.status === 'ok' ? null : (thumbnail?.error ?? null),
    };
  });
}

/** A sample as users see it, without its thumbnail (`toSampleViews` adds those). */
export function toSampleView(sample: Sample): SampleView {
  return {
    key: sample.key,
    size: sample.size,
    width: sample.width,
    height: sample.height,
    format: sample.format,
    status: sample.status,
    error: sample.error,
    etag: sample.etag,
    lastModified: sample.lastModified,
    firstSeenAt: sample.firstSeenAt,
    lastSeenAt: sample.lastSeenAt,
    thumbnail: null,
    thumbnailError: null,
  };
}

export async function findSample(deps: Pick<CatalogDeps, 'database'>, datasetName: string, key: string): Promise<SampleView> {
  const { dataset } = await requireDataset(deps, datasetName);
  const [sample] = await listSamplesAfter(deps.database.db, dataset.id, undefined, 1, { exactKey: key });
  if (!sample)
    throw new AppError('SampleNotFound', `Dataset "${datasetName}" has no sample ${quoteInput(key)}.`, {
      hint: 'Keys are relative to the input folder; run a sync if the object is new.',
    });
  return (await toSampleViews(deps.database.db, [sample]))[0]!;
}

import type { Dataset } from '../catalog/dataset.repository.js';
import { browseSamples, type BrowseQuery } from '../catalog/sample-browse.service.js';
import { findSample, type SampleView } from '../catalog/sample.service.js';
import { signingWindowMs } from '../datasources/presigned-url-cache.js';
import { encodeKeyPath, sampleUrlSigner } from '../datasources/sample-urls.js';
import type { DatasetStoreCache } from './dataset-store-cache.js';
import { createPageCache, pageServableUntil } from './page-cache.js';
import type { WorkflowDeps } from './workflow-deps.js';

/** A sample with the URLs a browser (or a script) fetches its image and thumbnail from. */
export interface SampleWithUrls extends SampleView {
  /** Presigned GET URL (S3) or Winnow's file route (local folders); null when URLs were not asked for. */
  url: string | null;
  thumbnailUrl: string | null;
}

export interface SamplePageWithUrls {
  samples: SampleWithUrls[];
  nextCursor: string | null;
}

export interface BrowseRequest extends BrowseQuery {
  /** Sign (or route) a URL for every image and thumbnail. */
  urls: boolean;
}

/** Pages of a dataset's samples, as the grid, the API and `winnow samples list` see them. */
export interface SampleBrowser {
  page(datasetName: string, request: BrowseRequest): Promise<SamplePageWithUrls>;
  /**
   * The same page as JSON bytes, kept between calls (while its URLs stay valid for the TTL and the
   * dataset's revision does not move), so a page asked for again costs no catalog or signing work.
   */
  pageJson(datasetName: string, request: BrowseRequest): Promise<Uint8Array<ArrayBuffer>>;
  /** One sample by key with fresh URLs (a browser asks again when an image URL expired). */
  sample(datasetName: string, key: string): Promise<SampleWithUrls>;
}

export interface SampleBrowserOptions {
  stores: DatasetStoreCache;
  /** How the browser learns a dataset's current revision (a server keeps rows; the CLI reads them). */
  datasets: { get(name: string): Promise<Dataset> };
  urlTtlSeconds: number;
  /** 0 keeps no pages. */
  pageCacheBytes: number;
}

type FileRoute = 'files' | 'thumbnails';

const utf8 = new TextEncoder();

export function createSampleBrowser(deps: Pick<WorkflowDeps, 'database'>, options: SampleBrowserOptions): SampleBrowser {
  const pages = createPageCache(options.pageCacheBytes);
  const ttlMs = options.urlTtlSeconds * 1000;
  // A kept page asks for URLs that work a signing window beyond the TTL, so it stays servable for up to that window.
  const pageSpareMs = signingWindowMs(ttlMs);

  /** URLs for samples' images (input) and thumbnails (output), and until when all of them work. */
  const withUrls = async (
    name: string,
    samples: readonly SampleView[],
    minRemainingSeconds: number,
  ): Promise<{ samples: SampleWithUrls[]; validUntil: number }> => {
    const { stores } = await options.stores.get(name);
    const fileRoute = (route: FileRoute) => (key: string) => `/api/datasets/${encodeURIComponent(name)}/${route}/${encodeKeyPath(key)}`;
    const urlOptions = { ttlSeconds: options.urlTtlSeconds, minRemainingSeconds };
    const image = sampleUrlSigner(stores.input, { ...urlOptions, fileRouteUrl: fileRoute('files') });
    // Thumbnail keys are full keys of the output location. Winnow serves a thumbnail it serves at all by its
    // sample's key, so only thumbnails of catalogued samples can be asked for.
    const thumbnail = sampleUrlSigner({ ...stores.output, prefix: '' }, { ...urlOptions, fileRouteUrl: fileRoute('thumbnails') });
    const localThumbnails = stores.output.browserUrls === 'served';
    let validUntil = Infinity;
    const signed = await Promise.all(
      samples.map(async (sample) => {
        const [url, thumbnailUrl] = await Promise.all([
          image(sample.key),
          sample.thumbnail ? thumbnail(localThumbnails ? sample.key : sample.thumbnail.key) : undefined,
        ]);
        validUntil = Math.min(validUntil, url.validUntil, thumbnailUrl?.validUntil ?? Infinity);
        return { ...sample, url: url.url, thumbnailUrl: thumbnailUrl?.url ?? null };
      }),
    );
    return { samples: signed, validUntil };
  };

  const build = async (dataset: Dataset, request: BrowseRequest, minRemainingSeconds: number): Promise<SamplePageWithUrls & { validUntil: number }> => {
    const { urls, ...query } = request;
    const page = await browseSamples(deps, dataset, query);
    const signed = urls
      ? await withUrls(dataset.name, page.samples, minRemainingSeconds)
      : { samples: page.samples.map((sample) => ({ ...sample, url: null, thumbnailUrl: null })), validUntil: Infinity };
    return { samples: signed.samples, nextCursor: page.nextCursor, validUntil: signed.validUntil };
  };

  return {
    async page(datasetName, request) {
      const { samples, nextCursor } = await build(await options.datasets.get(datasetName), request, options.urlTtlSeconds);
      return { samples, nextCursor };
    },

    async pageJson(datasetName, request) {
      const dataset = await options.datasets.get(datasetName);
      if (request.tag !== undefined && request.tag !== '') {
        // Tagging does not move the dataset's revision, so a page of a tag is never kept.
        const { samples, nextCursor } = await build(dataset, request, options.urlTtlSeconds);
        return utf8.encode(JSON.stringify({ samples, nextCursor }));
      }
      // The revision changes with every write to the dataset's samples or thumbnails, so a kept page is never stale.
      const key = JSON.stringify([
        dataset.id,
        dataset.revision,
        request.urls,
        request.limit,
        request.cursor,
        request.afterKey,
        request.status,
        request.extension,
        request.folder,
        request.q,
        request.sort,
        request.order,
      ]);
      const kept = pages.get(key, Date.now());
      if (kept !== undefined) return kept;
      const { samples, nextCursor, validUntil } = await build(dataset, request, (ttlMs + pageSpareMs) / 1000);
      const body = utf8.encode(JSON.stringify({ samples, nextCursor }));
      pages.set(key, body, pageServableUntil(validUntil, ttlMs, pageSpareMs));
      return body;
    },

    async sample(datasetName, key) {
      const sample = await findSample(deps, datasetName, key);
      return (await withUrls(datasetName, [sample], options.urlTtlSeconds)).samples[0]!;
    },
  };
}

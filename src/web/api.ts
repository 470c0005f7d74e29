/**
 * The web app's only door to the server: typed calls to the REST API (see /api/docs).
 * Every shape comes from the API's own contract (src/api/schemas.ts, type-only imports), so the
 * two cannot drift apart; the browser tests run these calls against a real `winnow serve`.
 */
import type {
  ApiErrorBody,
  CreateDatasetRequest,
  Dataset,
  DatasetDetails,
  DatasetOutputCleanup,
  DatasetPolicy,
  DatasetSummary,
  CreateTagRequest,
  EditDatasetRequest,
  EmbedJob,
  EmbeddingMap,
  EmbeddingStatus,
  FieldValues,
  Job,
  Neighbours,
  Sample,
  SampleFilters,
  SamplePage,
  SelectionReport,
  DuplicatesReport,
  SelectRequest,
  SyncJob,
  Tag,
  TagDetails,
  VerifyReport,
} from '../api/schemas.js';
import { LIGHTS } from '../model/lights.js';

export class ApiError extends Error {
  readonly code: string;
  readonly hint: string | null;
  readonly status: number;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.hint = body.hint;
  }
}

export { LIGHTS };
export type {
  ApiErrorBody,
  ConnectionSettings,
  CorsCheck,
  CreateDatasetRequest,
  Dataset,
  DatasetDetails,
  DatasetPolicy,
  DatasetOutputCleanup,
  DatasetSummary,
  DatasourceView,
  EditDatasetRequest,
  CreateTagRequest,
  EmbedJob,
  EmbeddingMap,
  EmbeddingStatus,
  Job,
  JobState,
  Neighbours,
  SelectionReport,
  SelectRequest,
  Tag,
  TagDetails,
  Light,
  Sample,
  SamplePage,
  SampleFilters,
  SampleStatus,
  StorageRetry,
  SyncJob,
  SyncProgress,
  SyncReport,
  SyncStatus,
  VerifyCheck,
  VerifyReport,
} from '../api/schemas.js';

async function request<T>(method: string, path: string, options: { body?: unknown; signal?: AbortSignal | undefined } = {}): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: options.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: options.signal ?? null,
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const error = isErrorBody(parsed)
      ? parsed.error
      : { code: 'HttpError', message: `The server answered ${response.status} ${response.statusText}.`, hint: null };
    throw new ApiError(response.status, error);
  }
  return parsed as T;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isErrorBody(value: unknown): value is { error: ApiErrorBody } {
  return typeof value === 'object' && value !== null && 'error' in value && typeof (value as { error: unknown }).error === 'object';
}

const datasetPath = (name: string) => `/api/datasets/${encodeURIComponent(name)}`;
const tagPath = (name: string, tag: string) => `${datasetPath(name)}/tags/${encodeURIComponent(tag)}`;
export type TagExportFormat = 'txt' | 'json' | 'csv';

function sampleQueryString(filters: SampleFilters, page: { cursor?: string | undefined; limit: number }): string {
  const params = new URLSearchParams({ limit: String(page.limit), sort: filters.sort, order: filters.order });
  if (page.cursor !== undefined) params.set('cursor', page.cursor);
  for (const name of ['status', 'extension', 'folder', 'q', 'tag'] as const) {
    const value = filters[name];
    if (value !== undefined && value !== '') params.set(name, value);
  }
  return params.toString();
}

export const api = {
  session: () => request<{ signedIn: boolean }>('GET', '/api/session'),
  signIn: (token: string) => request<{ signedIn: boolean }>('POST', '/api/session', { body: { token } }),
  signOut: () => request<void>('DELETE', '/api/session'),

  listDatasets: async () => (await request<{ datasets: DatasetSummary[] }>('GET', '/api/datasets')).datasets,
  dataset: (name: string) => request<DatasetDetails>('GET', datasetPath(name)),
  createDataset: (body: CreateDatasetRequest) => request<Dataset>('POST', '/api/datasets', { body }),
  updateDataset: (name: string, body: EditDatasetRequest) => request<Dataset>('PATCH', datasetPath(name), { body }),
  deleteDataset: (name: string) => request<void>('DELETE', datasetPath(name)),
  cleanOutputs: (name: string) => request<DatasetOutputCleanup>('POST', `${datasetPath(name)}/clean-outputs`),
  verify: (name: string) => request<VerifyReport>('POST', `${datasetPath(name)}/verify`),
  policy: (name: string) => request<DatasetPolicy>('GET', `${datasetPath(name)}/policy`),

  startSync: async (name: string) => (await request<{ job: SyncJob }>('POST', `${datasetPath(name)}/sync`)).job,
  syncJob: async (name: string) => (await request<{ job: SyncJob | null }>('GET', `${datasetPath(name)}/sync`)).job,
  cancelSync: async (name: string) => (await request<{ job: SyncJob | null }>('DELETE', `${datasetPath(name)}/sync`)).job,

  samples: (name: string, filters: SampleFilters, page: { cursor?: string | undefined; limit: number }, signal?: AbortSignal) =>
    request<SamplePage>('GET', `${datasetPath(name)}/samples?${sampleQueryString(filters, page)}`, { signal }),
  /** Every key that passes the filters (pages of 1,000 without URLs), for "select all matching". */
  matchingKeys: async (name: string, filters: SampleFilters, signal?: AbortSignal) => {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await request<SamplePage>('GET', `${datasetPath(name)}/samples?${sampleQueryString(filters, { cursor, limit: 1000 })}&urls=false`, {
        signal,
      });
      keys.push(...page.samples.map((sample) => sample.key));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return keys;
  },
  embeddings: (name: string) => request<EmbeddingStatus>('GET', `${datasetPath(name)}/embeddings`),
  startEmbedding: async (name: string) => (await request<{ job: EmbedJob }>('POST', `${datasetPath(name)}/embeddings`)).job,
  cancelEmbedding: async (name: string) => (await request<{ job: EmbedJob | null }>('DELETE', `${datasetPath(name)}/embeddings`)).job,

  embeddingMap: (name: string, model: string) => request<EmbeddingMap>('GET', `${datasetPath(name)}/embeddings/${encodeURIComponent(model)}/map`),
  neighbours: (name: string, model: string, key: string, k: number) =>
    request<Neighbours>('GET', `${datasetPath(name)}/embeddings/${encodeURIComponent(model)}/neighbours?${new URLSearchParams({ key, k: String(k) })}`),

  tags: async (name: string) => (await request<{ tags: Tag[] }>('GET', `${datasetPath(name)}/tags`)).tags,
  tag: (name: string, tag: string) => request<TagDetails>('GET', tagPath(name, tag)),
  createTag: (name: string, body: CreateTagRequest) => request<Tag>('POST', `${datasetPath(name)}/tags`, { body }),
  updateTag: (name: string, tag: string, body: { name?: string; description?: string | null }) => request<Tag>('PATCH', tagPath(name, tag), { body }),
  deleteTag: (name: string, tag: string) => request<void>('DELETE', tagPath(name, tag)),
  /** The address of the tag's file: a plain link downloads it (the session cookie goes along). */
  tagExportUrl: (name: string, tag: string, format: TagExportFormat) => `${tagPath(name, tag)}/export?format=${format}`,
  exportTagToOutput: (name: string, tag: string, format: TagExportFormat) =>
    request<{ location: string; count: number }>('POST', `${tagPath(name, tag)}/export?format=${format}`),
  duplicates: (name: string, body: { threshold?: number }) => request<DuplicatesReport>('POST', `${datasetPath(name)}/duplicates`, { body }),
  select: (name: string, body: SelectRequest) => request<SelectionReport>('POST', `${datasetPath(name)}/selections`, { body }),
  fieldValues: (name: string, field: string) => request<FieldValues>('GET', `${datasetPath(name)}/metadata/${encodeURIComponent(field)}`),
  metadataFields: async (name: string) =>
    (await request<{ fields: Array<{ field: string; numbers: number; texts: number }> }>('GET', `${datasetPath(name)}/metadata`)).fields,

  jobs: async () => (await request<{ jobs: Job[] }>('GET', '/api/jobs?limit=100')).jobs,
  cancelJob: (id: string) => request<Job>('POST', `/api/jobs/${encodeURIComponent(id)}/cancel`),
  retryJob: (id: string) => request<Job>('POST', `/api/jobs/${encodeURIComponent(id)}/retry`),

  /** One sample with a freshly signed URL (for an image whose URL expired). */
  sample: (name: string, key: string) => request<Sample>('GET', `${datasetPath(name)}/sample?key=${encodeURIComponent(key)}`),
};

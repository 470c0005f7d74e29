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
  DatasetPolicy,
  DatasetSummary,
  EmbedJob,
  EmbeddingStatus,
  Sample,
  SampleFilters,
  SamplePage,
  SyncJob,
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
  DatasetSummary,
  DatasourceView,
  EmbedJob,
  EmbeddingStatus,
  Light,
  Sample,
  SamplePage,
  SampleFilters,
  SampleStatus,
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

function sampleQueryString(filters: SampleFilters, page: { cursor?: string | undefined; limit: number }): string {
  const params = new URLSearchParams({ limit: String(page.limit), sort: filters.sort, order: filters.order });
  if (page.cursor !== undefined) params.set('cursor', page.cursor);
  for (const name of ['status', 'extension', 'folder', 'q'] as const) {
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
  deleteDataset: (name: string) => request<void>('DELETE', datasetPath(name)),
  verify: (name: string) => request<VerifyReport>('POST', `${datasetPath(name)}/verify`),
  policy: (name: string) => request<DatasetPolicy>('GET', `${datasetPath(name)}/policy`),

  startSync: async (name: string) => (await request<{ job: SyncJob }>('POST', `${datasetPath(name)}/sync`)).job,
  syncJob: async (name: string) => (await request<{ job: SyncJob | null }>('GET', `${datasetPath(name)}/sync`)).job,
  cancelSync: async (name: string) => (await request<{ job: SyncJob | null }>('DELETE', `${datasetPath(name)}/sync`)).job,

  samples: (name: string, filters: SampleFilters, page: { cursor?: string | undefined; limit: number }, signal?: AbortSignal) =>
    request<SamplePage>('GET', `${datasetPath(name)}/samples?${sampleQueryString(filters, page)}`, { signal }),
  embeddings: (name: string) => request<EmbeddingStatus>('GET', `${datasetPath(name)}/embeddings`),
  startEmbedding: async (name: string) => (await request<{ job: EmbedJob }>('POST', `${datasetPath(name)}/embeddings`)).job,
  cancelEmbedding: async (name: string) => (await request<{ job: EmbedJob | null }>('DELETE', `${datasetPath(name)}/embeddings`)).job,

  /** One sample with a freshly signed URL (for an image whose URL expired). */
  sample: (name: string, key: string) => request<Sample>('GET', `${datasetPath(name)}/sample?key=${encodeURIComponent(key)}`),
};

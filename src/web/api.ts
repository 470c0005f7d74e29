/**
 * The web app's only door to the server: typed calls to the REST API (see /api/docs).
 * Types mirror src/api/schemas.ts; the browser tests run them against a real `winnow serve`.
 */

export interface ApiErrorBody {
  code: string;
  message: string;
  hint: string | null;
}

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

export type Light = 'list' | 'read' | 'write' | 'overwrite' | 'delete';
export const LIGHTS: readonly Light[] = ['list', 'read', 'write', 'overwrite', 'delete'];

export interface DatasetSummary {
  name: string;
  input: string;
  samples: number;
  lastSyncedAt: string | null;
  syncStatus: string | null;
}

export interface DatasourceView {
  purpose: 'input' | 'output';
  uri: string;
  kind: 's3' | 'local';
  region: string | null;
  endpoint: string | null;
  pathStyle: boolean;
  accessKeyId: string | null;
  hasSecret: boolean;
  sseKmsKeyId: string | null;
  roleArn: string | null;
  externalId: string | null;
  roleSessionSeconds: number | null;
}

export interface Dataset {
  id: string;
  name: string;
  input: DatasourceView;
  output: DatasourceView;
  include: string[];
  exclude: string[];
  hasRelevantFilenames: boolean;
  createdAt: string;
}

export interface DatasetDetails extends Dataset {
  samples: { total: number; pending: number; ok: number; error: number; removed: number };
  lastSync: { generation: number; status: string; phase: string; startedAt: string; finishedAt: string | null; error: string | null } | null;
}

export interface ConnectionSettings {
  uri: string;
  region?: string;
  endpoint?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  roleArn?: string;
  externalId?: string;
  sseKmsKeyId?: string;
}

export interface CreateDatasetRequest {
  name: string;
  input: ConnectionSettings;
  output?: Partial<ConnectionSettings> & { uri: string };
  include?: string[];
  exclude?: string[];
}

export interface VerifyCheck {
  ok: boolean;
  skipped: boolean;
  operation: string;
  action: string;
  resource: string;
  s3Code?: string;
  message?: string;
  fix?: string;
}

export interface CorsCheck {
  ok: boolean;
  origin: string;
  message: string;
  configuration: Array<Record<string, unknown>> | null;
}

export interface VerifyReport {
  dataset: string;
  input: string;
  output: string;
  mode: string;
  summary: string;
  checks: Record<Light, VerifyCheck>;
  cors?: CorsCheck | null;
  leftBehind?: string;
}

export interface DatasetPolicy {
  policy: Record<string, unknown>;
  lights: Record<Light, boolean>;
}

export interface SyncProgress {
  phase: 'listing' | 'probing';
  listed: number;
  added: number;
  updated: number;
  probed: number;
  toProbe: number;
  failed: number;
}

export interface SyncReport {
  listed: number;
  added: number;
  updated: number;
  removed: number;
  failed: number;
  total: number;
  withoutDimensions: number;
  readDenied: boolean;
  warnings: string[];
  durationMs: number;
}

export type SyncStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface SyncJob {
  id: string;
  dataset: string;
  status: SyncStatus;
  startedAt: string;
  finishedAt: string | null;
  progress: SyncProgress | null;
  report: SyncReport | null;
  error: ApiErrorBody | null;
}

export type SampleStatus = 'pending' | 'ok' | 'error';

export interface Sample {
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
  /** Presigned GET URL (S3) or Winnow's file route (local folders). */
  url: string | null;
  /** A URL of the sample's thumbnail, once one exists (else show `url`). */
  thumbnailUrl?: string | null;
  /** Why the sample has no thumbnail, when a thumbnail job tried. */
  thumbnailError?: string | null;
}

export interface SampleFilters {
  status?: SampleStatus | undefined;
  extension?: string | undefined;
  folder?: string | undefined;
  q?: string | undefined;
  sort: 'key' | 'date';
  order: 'asc' | 'desc';
}

export interface SamplePage {
  samples: Sample[];
  nextCursor: string | null;
}

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
    const error = isErrorBody(parsed) ? parsed.error : { code: 'HttpError', message: `The server answered ${response.status} ${response.statusText}.`, hint: null };
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
  /** One sample with a freshly signed URL (for an image whose URL expired). */
  sample: (name: string, key: string) => request<Sample>('GET', `${datasetPath(name)}/sample?key=${encodeURIComponent(key)}`),
};

/**
 * The web app's calls to the embedding routes (see /api/docs, tag "embeddings"). Kept beside
 * api.ts, with the same request helper, while that file is being reworked.
 */
import { ApiError, type ApiErrorBody } from './api.js';

export interface EmbedProgress {
  model: string;
  total: number;
  toEmbed: number;
  done: number;
  embedded: number;
  failed: number;
}

export interface EmbedJob {
  id: string;
  dataset: string;
  model: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  startedAt: string;
  finishedAt: string | null;
  progress: EmbedProgress | null;
  report: { embedded: number; skipped: number; failed: number; removed: number; total: number; imagesPerSecond: number; durationMs: number; dimensions: number } | null;
  error: ApiErrorBody | null;
}

export interface EmbeddingStatus {
  job: EmbedJob | null;
  samples: number;
  models: Array<{ name: string; dimensions: number; source: string; embedded: number; rejected: number }>;
}

async function request<T>(method: string, path: string): Promise<T> {
  const response = await fetch(path, { method, credentials: 'same-origin', headers: { accept: 'application/json' } });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const body = parsed as { error?: ApiErrorBody } | undefined;
    throw new ApiError(response.status, body?.error ?? { code: 'HttpError', message: `The server answered ${response.status} ${response.statusText}.`, hint: null });
  }
  return parsed as T;
}

const embeddingsPath = (dataset: string) => `/api/datasets/${encodeURIComponent(dataset)}/embeddings`;

export const embeddingsApi = {
  status: (dataset: string) => request<EmbeddingStatus>('GET', embeddingsPath(dataset)),
  start: async (dataset: string, model?: string) => (await request<{ job: EmbedJob }>('POST', `${embeddingsPath(dataset)}${model === undefined ? '' : `?model=${encodeURIComponent(model)}`}`)).job,
  cancel: async (dataset: string) => (await request<{ job: EmbedJob | null }>('DELETE', embeddingsPath(dataset))).job,
};

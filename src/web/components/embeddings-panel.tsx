import { useMutation, useQuery } from '@tanstack/react-query';
import { api, ApiError, type EmbedJob, type EmbeddingStatus } from '../api.js';
import { formatCount } from '../format.js';
import { queryClient } from '../query-client.js';
import { ErrorMessage } from './error-message.js';

const POLL_MS = 500;
export const embeddingStatusKey = (dataset: string) => ['embeddings', dataset] as const;

/** "Compute embeddings" with live progress, and how many samples have vectors per model. */
export function EmbeddingsPanel({ dataset }: { dataset: string }) {
  const status = useQuery({
    queryKey: embeddingStatusKey(dataset),
    queryFn: () => api.embeddings(dataset),
    refetchInterval: (query) => (query.state.data?.job?.status === 'running' ? POLL_MS : false),
  });
  const start = useMutation({
    mutationFn: () => api.startEmbedding(dataset),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: embeddingStatusKey(dataset) }),
  });
  const cancel = useMutation({
    mutationFn: () => api.cancelEmbedding(dataset),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: embeddingStatusKey(dataset) }),
  });
  const job = status.data?.job ?? null;
  const running = job?.status === 'running';

  return (
    <section className="sync-panel embeddings-panel" aria-label="Embeddings">
      <div className="sync-actions">
        {running ? (
          <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? 'Cancelling…' : 'Cancel embeddings'}
          </button>
        ) : (
          <button type="button" onClick={() => start.mutate()} disabled={start.isPending}>
            {start.isPending ? 'Starting…' : 'Compute embeddings'}
          </button>
        )}
      </div>
      <div className="sync-status" role="status" aria-live="polite">
        {job ? <EmbedJobStatus job={job} /> : status.data && <StoredVectors status={status.data} />}
      </div>
      {status.isError && <ErrorMessage error={status.error} />}
      {start.isError && <ErrorMessage error={start.error} title="Embedding did not start." />}
      {cancel.isError && <ErrorMessage error={cancel.error} />}
    </section>
  );
}

function StoredVectors({ status }: { status: EmbeddingStatus }) {
  const withVectors = status.models.filter((model) => model.embedded > 0);
  if (withVectors.length === 0) return <span data-embed-status="none">No embeddings yet.</span>;
  return (
    <span data-embed-status="stored">
      Embeddings: {withVectors.map((model) => `${model.name} ${formatCount(model.embedded)} of ${formatCount(status.samples)}`).join(', ')}
    </span>
  );
}

function EmbedJobStatus({ job }: { job: EmbedJob }) {
  const progress = job.progress;
  if (job.status === 'running') {
    if (progress === null) return <span data-embed-status="running">Starting…</span>;
    return (
      <span data-embed-status="running" className="sync-progress">
        <label>
          Embedding with {progress.model}: {formatCount(progress.done)} of {formatCount(progress.toEmbed)}
          {progress.failed > 0 && `, ${formatCount(progress.failed)} failed`}
          <progress max={Math.max(1, progress.toEmbed)} value={progress.done} />
        </label>
      </span>
    );
  }
  if (job.status === 'completed' && job.report) {
    const report = job.report;
    return (
      <span data-embed-status="completed">
        Embeddings complete: {formatCount(report.embedded)} new, {formatCount(report.skipped)} already stored, {formatCount(report.failed)} failed, of{' '}
        {formatCount(report.total)} ({report.imagesPerSecond} images/s).
      </span>
    );
  }
  if (job.status === 'cancelled') return <span data-embed-status="cancelled">Embedding cancelled; the next run continues where it stopped.</span>;
  return (
    <span data-embed-status="failed">
      <ErrorMessage error={new ApiError(500, job.error ?? { code: 'EmbedFailed', message: 'Embedding failed.', hint: null })} title="Embedding failed." />
    </span>
  );
}

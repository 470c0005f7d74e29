import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, ApiError, type SyncJob } from '../api.js';
import { formatCount } from '../format.js';
import { queryClient } from '../query-client.js';
import { ErrorMessage } from './error-message.js';

const POLL_MS = 500;

export const syncJobKey = (dataset: string) => ['sync', dataset] as const;

/** Start, follow and cancel a sync; `onFinished` fires when a sync this page watched ends. */
export function SyncPanel({ dataset, onFinished }: { dataset: string; onFinished: (job: SyncJob) => void }) {
  const job = useQuery({
    queryKey: syncJobKey(dataset),
    queryFn: () => api.syncJob(dataset),
    refetchInterval: (query) => (query.state.data?.status === 'running' ? POLL_MS : false),
  });
  const start = useMutation({ mutationFn: () => api.startSync(dataset), onSuccess: (started) => queryClient.setQueryData(syncJobKey(dataset), started) });
  const cancel = useMutation({ mutationFn: () => api.cancelSync(dataset), onSuccess: (cancelled) => queryClient.setQueryData(syncJobKey(dataset), cancelled) });

  const current = job.data ?? null;
  const running = current?.status === 'running';
  const watchedRunning = useRef(false);
  useEffect(() => {
    if (running) watchedRunning.current = true;
    else if (watchedRunning.current && current) {
      watchedRunning.current = false;
      onFinished(current);
    }
  }, [running, current, onFinished]);

  return (
    <section className="sync-panel" aria-label="Sync">
      <div className="sync-actions">
        {running ? (
          <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? 'Cancelling…' : 'Cancel sync'}
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => start.mutate()} disabled={start.isPending}>
            {start.isPending ? 'Starting…' : 'Sync now'}
          </button>
        )}
      </div>
      <div className="sync-status" role="status" aria-live="polite">
        {current && <SyncJobStatus job={current} />}
      </div>
      {start.isError && <ErrorMessage error={start.error} title="The sync did not start." />}
      {cancel.isError && <ErrorMessage error={cancel.error} />}
    </section>
  );
}

function SyncJobStatus({ job }: { job: SyncJob }) {
  const progress = job.progress;
  if (job.status === 'running' && job.retrying !== null) {
    return (
      <span data-sync-status="retrying">
        Retrying: the storage answered {job.retrying.reason} (attempt {job.retrying.attempt} of {job.retrying.maxAttempts}); the sync goes on when it answers
        again.
      </span>
    );
  }
  if (job.status === 'running') {
    if (progress === null) return <span data-sync-status="running">Starting…</span>;
    if (progress.phase === 'listing') {
      return (
        <span data-sync-status="running">
          Listing: {formatCount(progress.listed)} keys ({formatCount(progress.added)} new, {formatCount(progress.updated)} changed
          {progress.probed > 0 && `, ${formatCount(progress.probed)} headers read`})
        </span>
      );
    }
    return (
      <span data-sync-status="running" className="sync-progress">
        <label>
          Reading image headers: {formatCount(progress.probed)} of {formatCount(progress.toProbe)}
          {progress.failed > 0 && `, ${formatCount(progress.failed)} unreadable`}
          <progress max={Math.max(1, progress.toProbe)} value={progress.probed} />
        </label>
      </span>
    );
  }
  if (job.status === 'completed' && job.report) {
    const report = job.report;
    return (
      <span data-sync-status="completed">
        Sync complete: {formatCount(report.total)} samples ({formatCount(report.added)} added, {formatCount(report.updated)} updated,{' '}
        {formatCount(report.removed)} removed, {formatCount(report.failed)} unreadable) in {(report.durationMs / 1000).toFixed(1)} s.
        {report.warnings.map((warning) => (
          <span key={warning} className="warning">
            {' '}
            {warning}
          </span>
        ))}
      </span>
    );
  }
  if (job.status === 'cancelled') return <span data-sync-status="cancelled">Sync cancelled; the next sync resumes where it stopped.</span>;
  return (
    <span data-sync-status="failed">
      <ErrorMessage error={new ApiError(500, job.error ?? { code: 'SyncFailed', message: 'The sync failed.', hint: null })} title="Sync failed." />
    </span>
  );
}

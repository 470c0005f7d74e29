import { useMutation } from '@tanstack/react-query';
import { api, ApiError, type Job } from '../api.js';
import { formatDate } from '../format.js';
import { describeRetry, isUnfinished, jobProgressView } from '../job-progress.js';
import { queryClient } from '../query-client.js';
import { Link, routePath } from '../router.js';
import { ErrorMessage } from './error-message.js';

export const jobsKey = ['jobs'] as const;

const STATE_LABEL: Record<Job['state'], string> = {
  created: 'Queued',
  retry: 'Waiting to retry',
  active: 'Running',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** Every job of the catalog's queue, newest first, with cancel and retry. */
export function JobsTable({ jobs }: { jobs: Job[] }) {
  return (
    <table className="jobs">
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Dataset</th>
          <th scope="col">State</th>
          <th scope="col">Progress</th>
          <th scope="col">Tries</th>
          <th scope="col">Created</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <JobRow key={job.id} job={job} />
        ))}
      </tbody>
    </table>
  );
}

function JobRow({ job }: { job: Job }) {
  const replace = (updated: Job) => {
    queryClient.setQueryData<Job[]>(jobsKey, (jobs) => jobs?.map((candidate) => (candidate.id === updated.id ? updated : candidate)));
    void queryClient.invalidateQueries({ queryKey: jobsKey });
  };
  const cancel = useMutation({ mutationFn: () => api.cancelJob(job.id), onSuccess: replace });
  const retry = useMutation({ mutationFn: () => api.retryJob(job.id), onSuccess: replace });
  const progress = jobProgressView(job);
  const dataset = typeof job.data.dataset === 'string' ? job.data.dataset : undefined;
  return (
    <tr data-job-id={job.id} data-job-state={job.state}>
      <th scope="row">
        {job.name}
        <span className="job-id">{job.id.slice(0, 8)}</span>
      </th>
      <td>{dataset === undefined ? '—' : <Link to={routePath.dataset(dataset)}>{dataset}</Link>}</td>
      <td>
        <span className={`badge job-state ${job.state}`}>{STATE_LABEL[job.state]}</span>
        {job.state === 'retry' && <span className="job-note">next try {formatDate(job.startAfter)}</span>}
      </td>
      <td className="job-progress">
        {progress.text !== '' && (
          <label>
            {progress.text}
            {progress.total !== undefined && <progress max={Math.max(1, progress.total)} value={progress.done} />}
          </label>
        )}
        {progress.retrying !== null && (
          <p className="job-retrying" data-job-retrying="true">
            Retrying {describeRetry(progress.retrying)}: the storage is throttling or failing; the job goes on when it answers.
          </p>
        )}
        {job.error !== null && <ErrorMessage error={new ApiError(500, job.error)} title={job.state === 'failed' ? 'Failed:' : 'Last attempt failed:'} />}
      </td>
      <td>
        {job.retryCount + 1} of {job.retryLimit + 1}
        {progress.storageRetries > 0 && <span className="job-note">{progress.storageRetries} storage retries</span>}
      </td>
      <td>{formatDate(job.createdAt)}</td>
      <td className="job-actions">
        {isUnfinished(job) && (
          <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
        {(job.state === 'failed' || job.state === 'cancelled') && (
          <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
            {retry.isPending ? 'Retrying…' : 'Retry'}
          </button>
        )}
        {cancel.isError && <ErrorMessage error={cancel.error} />}
        {retry.isError && <ErrorMessage error={retry.error} />}
      </td>
    </tr>
  );
}

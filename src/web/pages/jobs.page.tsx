import { useQuery } from '@tanstack/react-query';
import { api } from '../api.js';
import { ErrorMessage } from '../components/error-message.js';
import { jobsKey, JobsTable } from '../components/jobs-table.js';
import { PageHeading } from '../components/page-heading.js';
import { isUnfinished } from '../job-progress.js';

const POLL_MS = 1_000;

/** The catalog's background jobs (sync, thumbnails, embed), whichever process or worker runs them; refreshed while any is unfinished. */
export function JobsPage() {
  const jobs = useQuery({
    queryKey: jobsKey,
    queryFn: api.jobs,
    refetchInterval: (query) => (query.state.data?.some(isUnfinished) ? POLL_MS : false),
  });
  return (
    <div className="page">
      <div className="page-header">
        <PageHeading title="Jobs">Jobs</PageHeading>
      </div>
      {jobs.isPending && <p aria-busy="true">Loading jobs…</p>}
      {jobs.isError && <ErrorMessage error={jobs.error} />}
      {jobs.data?.length === 0 && (
        <div className="empty-state">
          <p>No queued jobs. Syncs, thumbnails and embedding runs queued for workers (`--queue`, or started here on PostgreSQL) show up here.</p>
        </div>
      )}
      {jobs.data !== undefined && jobs.data.length > 0 && (
        <div role="status" aria-live="polite">
          <JobsTable jobs={jobs.data} />
        </div>
      )}
    </div>
  );
}

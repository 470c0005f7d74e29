import { useMutation, useQuery } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { api, type DatasetDetails, type SampleFilters, type SyncJob } from '../api.js';
import { EmbeddingsPanel } from '../components/embeddings-panel.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageHeading } from '../components/page-heading.js';
import { RelevantFilenamesNotice } from '../components/relevant-filenames-notice.js';
import { SampleFilterBar, filtersFromSearch, hasFilters, searchFromFilters } from '../components/sample-filters.js';
import { SampleGrid } from '../components/sample-grid.js';
import { SyncPanel } from '../components/sync-panel.js';
import { VerifyResult } from '../components/verify-result.js';
import { formatCount, formatDate } from '../format.js';
import { queryClient } from '../query-client.js';
import { navigate, routePath, useLocation } from '../router.js';
import { datasetsKey } from './datasets.page.js';

const datasetKey = (name: string) => ['dataset', name] as const;

export function DatasetPage({ name }: { name: string }) {
  const details = useQuery({ queryKey: datasetKey(name), queryFn: () => api.dataset(name) });
  const location = useLocation();
  const filters = filtersFromSearch(location.search);
  const [generation, setGeneration] = useState('loaded');

  const onSyncFinished = useCallback(
    (job: SyncJob) => {
      setGeneration(`${job.id}:${job.status}`);
      void queryClient.invalidateQueries({ queryKey: datasetKey(name) });
      void queryClient.invalidateQueries({ queryKey: datasetsKey });
    },
    [name],
  );
  const applyFilters = (next: SampleFilters) => navigate(`${routePath.dataset(name)}${searchFromFilters(next)}`, { replace: true });

  if (details.isError) {
    return (
      <div className="page narrow">
        <PageHeading title={name}>{name}</PageHeading>
        <ErrorMessage error={details.error} />
      </div>
    );
  }
  return (
    <div className="page dataset-page">
      <div className="dataset-header">
        <div>
          <PageHeading title={name}>{name}</PageHeading>
          {details.data && <DatasetFacts details={details.data} />}
        </div>
        <SyncPanel dataset={name} onFinished={onSyncFinished} />
        <EmbeddingsPanel dataset={name} />
      </div>
      {details.data && <AccessCheck dataset={name} />}
      {details.data && <RelevantFilenamesNotice summary={details.data.relevantFilenames} />}
      <SampleFilterBar filters={filters} onChange={applyFilters} />
      <SampleGrid
        key={`${searchFromFilters(filters)}|${generation}`}
        dataset={name}
        filters={filters}
        generation={generation}
        knownTotal={hasFilters(filters) ? undefined : details.data?.samples.total}
        emptyMessage={
          hasFilters(filters)
            ? 'No samples match these filters.'
            : details.data?.lastSync === null
              ? 'Nothing indexed yet: press “Sync now” to index the folder.'
              : 'No images in this folder.'
        }
      />
    </div>
  );
}

function DatasetFacts({ details }: { details: DatasetDetails }) {
  const { samples, lastSync } = details;
  return (
    <p className="dataset-facts">
      <span className="location">{details.input.uri}</span>
      <span>{formatCount(samples.total)} samples</span>
      {samples.error > 0 && <span>{formatCount(samples.error)} unreadable</span>}
      {samples.pending > 0 && <span>{formatCount(samples.pending)} not read yet</span>}
      <span>
        {lastSync === null ? 'never synced' : lastSync.finishedAt === null ? `sync ${lastSync.status}` : `last sync ${formatDate(lastSync.finishedAt)}`}
      </span>
    </p>
  );
}

/** The five lights again, on demand: keys get rotated and policies edited after a dataset is created. */
function AccessCheck({ dataset }: { dataset: string }) {
  const verify = useMutation({ mutationFn: () => api.verify(dataset) });
  return (
    <details className="access-check">
      <summary>Access check</summary>
      <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
        {verify.isPending ? 'Checking…' : 'Check access now'}
      </button>
      {verify.isError && <ErrorMessage error={verify.error} />}
      {verify.data && <VerifyResult report={verify.data} />}
    </details>
  );
}

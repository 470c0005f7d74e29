import { useMutation, useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useState } from 'react';
import { api, type DatasetDetails, type SampleFilters, type SyncJob } from '../api.js';
import { DuplicatesView } from '../components/duplicates-view.js';
import { embeddingStatusKey, EmbeddingsPanel } from '../components/embeddings-panel.js';
import { OrphanedOutputsNotice } from '../components/orphaned-outputs-notice.js';
import { PolicyPanel } from '../components/policy-panel.js';
import { SampleDetail } from '../components/sample-detail.js';
import { SelectionBar } from '../components/selection-bar.js';
import { SelectionForm } from '../components/selection-form.js';
import { TagsPanel } from '../components/tags-panel.js';
import { useKeyedSamples, useSamplePages } from '../hooks/use-sample-pages.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageHeading } from '../components/page-heading.js';
import { RelevantFilenamesNotice } from '../components/relevant-filenames-notice.js';
import { SampleFilterBar, filtersFromSearch, hasFilters, searchFromFilters } from '../components/sample-filters.js';
import { SampleGrid } from '../components/sample-grid.js';
import { SyncPanel } from '../components/sync-panel.js';
import { VerifyResult } from '../components/verify-result.js';
import { formatCount, formatDate } from '../format.js';
import { queryClient } from '../query-client.js';
import { Link, navigate, routePath, useLocation } from '../router.js';
import { datasetsKey } from './datasets.page.js';

// The map's WebGL renderer is most of the app's weight: it loads when the Map view is first opened.
const EmbeddingMap = lazy(async () => ({ default: (await import('../components/embedding-map.js')).EmbeddingMap }));

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
  const viewParam = new URLSearchParams(location.search).get('view');
  const view: View = viewParam === 'map' || viewParam === 'duplicates' ? viewParam : 'grid';
  const addressOf = (nextFilters: SampleFilters, nextView: View) => {
    const search = new URLSearchParams(searchFromFilters(nextFilters));
    if (nextView !== 'grid') search.set('view', nextView);
    const text = search.toString();
    return `${routePath.dataset(name)}${text === '' ? '' : `?${text}`}`;
  };
  const applyFilters = (next: SampleFilters) => {
    setListed(null);
    navigate(addressOf(next, view), { replace: true });
  };
  const showView = (next: View) => navigate(addressOf(filters, next), { replace: true });

  const tags = useQuery({ queryKey: ['tags', name], queryFn: () => api.tags(name) });
  const embeddings = useQuery({ queryKey: embeddingStatusKey(name), queryFn: () => api.embeddings(name) });
  const model = embeddings.data?.models.find((candidate) => candidate.embedded > 0)?.name;

  // One selection for both views: a lasso on the map shows as ticked cells in the grid, and back.
  const [selected, setSelected] = useState<string[]>([]);
  const selectedSet = new Set(selected);
  const selectKeys = useCallback((keys: string[], select: boolean) => {
    setSelected((current) => {
      if (!select) {
        const removed = new Set(keys);
        return current.filter((key) => !removed.has(key));
      }
      const present = new Set(current);
      return [...current, ...keys.filter((key) => !present.has(key))];
    });
  }, []);
  // A list of keys shown in the grid instead of the filtered dataset: the selection, or a sample's neighbours.
  const [listed, setListed] = useState<{ title: string; keys: string[] } | null>(null);
  const [openKey, setOpenKey] = useState<string | null>(null);
  const selectAll = useMutation({ mutationFn: () => api.matchingKeys(name, filters), onSuccess: (keys) => selectKeys(keys, true) });
  const moreLikeThis = useMutation({
    mutationFn: (key: string) => api.neighbours(name, model!, key, 47),
    onSuccess: (result) => {
      setListed({ title: `The ${result.neighbours.length} samples most like ${result.key}`, keys: [result.key, ...result.neighbours.map((n) => n.key)] });
      showView('grid');
    },
  });
  const onMoreLikeThis = model === undefined ? undefined : (key: string) => moreLikeThis.mutate(key);

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
          <div className="dataset-title">
            <PageHeading title={name}>{name}</PageHeading>
            <Link to={routePath.editDataset(name)} className="button quiet">
              Edit
            </Link>
          </div>
          {details.data && <DatasetFacts details={details.data} />}
        </div>
        <SyncPanel dataset={name} onFinished={onSyncFinished} />
        <EmbeddingsPanel dataset={name} />
      </div>
      {details.data && <RelevantFilenamesNotice summary={details.data.relevantFilenames} />}
      {details.data && (
        <OrphanedOutputsNotice dataset={name} details={details.data} onCleaned={() => void queryClient.invalidateQueries({ queryKey: datasetKey(name) })} />
      )}
      <div className="curation-panels">
        {details.data && <AccessCheck dataset={name} />}
        {details.data && <DatasetSettings dataset={name} hasIamPolicy={details.data.input.uri.startsWith('s3://')} />}
        <TagsPanel dataset={name} shownTag={filters.tag} onShow={(tag) => applyFilters({ ...filters, tag })} />
        <SelectionForm
          dataset={name}
          onShowPicks={(title, keys) => {
            setListed({ title, keys });
            showView('grid');
          }}
        />
      </div>
      <div className="view-bar">
        <div className="view-switch segmented" role="group" aria-label="View">
          <button type="button" aria-pressed={view === 'grid'} onClick={() => showView('grid')}>
            Grid
          </button>
          <button type="button" aria-pressed={view === 'map'} onClick={() => showView('map')}>
            Map
          </button>
          <button type="button" aria-pressed={view === 'duplicates'} onClick={() => showView('duplicates')}>
            Duplicates
          </button>
        </div>
        {view === 'grid' && listed === null && (
          <button type="button" className="quiet" onClick={() => selectAll.mutate()} disabled={selectAll.isPending}>
            {selectAll.isPending ? 'Selecting…' : hasFilters(filters) ? 'Select all matching' : 'Select all'}
          </button>
        )}
      </div>
      <SampleFilterBar filters={filters} tags={tags.data?.map((tag) => tag.name) ?? []} onChange={applyFilters} />
      <SelectionBar
        dataset={name}
        keys={selected}
        onClear={() => setSelected([])}
        onShowInGrid={
          listed?.keys === selected
            ? undefined
            : () => {
                setListed({ title: `The ${selected.length} selected samples`, keys: selected });
                showView('grid');
              }
        }
      />
      {moreLikeThis.isError && <ErrorMessage error={moreLikeThis.error} title="No neighbours." />}
      {view === 'duplicates' ? (
        <DuplicatesView dataset={name} onOpenSample={setOpenKey} />
      ) : view === 'map' ? (
        <Suspense fallback={<p className="map-message">Loading the map…</p>}>
          <EmbeddingMap dataset={name} filters={filters} selectedKeys={selected} onSelect={setSelected} onOpenSample={setOpenKey} />
        </Suspense>
      ) : listed ? (
        <>
          <p className="listed-heading">
            <strong>{listed.title}</strong>{' '}
            <button type="button" className="quiet" onClick={() => setListed(null)}>
              Back to all samples
            </button>
          </p>
          <ListedGrid dataset={name} keys={listed.keys} selectedKeys={selectedSet} onSelectKeys={selectKeys} onMoreLikeThis={onMoreLikeThis} />
        </>
      ) : (
        <>
          {selectAll.isError && <ErrorMessage error={selectAll.error} />}
          <FilteredGrid
            key={`${searchFromFilters(filters)}|${generation}`}
            dataset={name}
            filters={filters}
            generation={generation}
            selectedKeys={selectedSet}
            onSelectKeys={selectKeys}
            onMoreLikeThis={onMoreLikeThis}
            knownTotal={hasFilters(filters) ? undefined : details.data?.samples.total}
            emptyMessage={
              hasFilters(filters)
                ? 'No samples match these filters.'
                : details.data?.lastSync === null
                  ? 'Nothing indexed yet: press “Sync now” to index the folder.'
                  : 'No images in this folder.'
            }
          />
        </>
      )}
      {openKey !== null && <OpenedSample dataset={name} sampleKey={openKey} onClose={() => setOpenKey(null)} onMoreLikeThis={onMoreLikeThis} />}
    </div>
  );
}

type View = 'grid' | 'map' | 'duplicates';

interface GridSelectionProps {
  selectedKeys: ReadonlySet<string>;
  onSelectKeys: (keys: string[], selected: boolean) => void;
  onMoreLikeThis: ((key: string) => void) | undefined;
}

function FilteredGrid({
  dataset,
  filters,
  generation,
  ...props
}: GridSelectionProps & { dataset: string; filters: SampleFilters; generation: string; emptyMessage: string; knownTotal: number | undefined }) {
  const pages = useSamplePages(dataset, filters, generation);
  return <SampleGrid dataset={dataset} pages={pages} {...props} />;
}

function ListedGrid({ dataset, keys, ...props }: GridSelectionProps & { dataset: string; keys: readonly string[] }) {
  const pages = useKeyedSamples(dataset, keys);
  return <SampleGrid dataset={dataset} pages={pages} emptyMessage="Nothing selected." {...props} />;
}

/** A sample opened from the map. */
function OpenedSample({
  dataset,
  sampleKey,
  onClose,
  onMoreLikeThis,
}: {
  dataset: string;
  sampleKey: string;
  onClose: () => void;
  onMoreLikeThis: ((key: string) => void) | undefined;
}) {
  const sample = useQuery({ queryKey: ['sample', dataset, sampleKey], queryFn: () => api.sample(dataset, sampleKey) });
  return (
    <SampleDetail
      dataset={dataset}
      sample={sample.data}
      position={0}
      count={1}
      total={1}
      onStep={() => undefined}
      onClose={onClose}
      onMoreLikeThis={onMoreLikeThis}
    />
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
        {lastSync !== null && (lastSync.status === 'failed' || lastSync.status === 'interrupted') && (
          <span className="badge warn" title={lastSync.error ?? undefined}>
            {lastSync.status}
          </span>
        )}
      </span>
    </p>
  );
}

/** The least-privilege policy (keys get rotated, policies tightened long after creation), and deleting the dataset. */
function DatasetSettings({ dataset, hasIamPolicy }: { dataset: string; hasIamPolicy: boolean }) {
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.deleteDataset(dataset),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: datasetsKey });
      navigate(routePath.datasets());
    },
  });
  return (
    <details className="access-check dataset-settings" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{hasIamPolicy ? 'Policy and settings' : 'Settings'}</summary>
      {open && hasIamPolicy && <PolicyPanel dataset={dataset} />}
      <h2>Delete this dataset</h2>
      <p>
        Removes the dataset from Winnow: its catalog entries, tags, vectors and stored keys. Nothing in the bucket or folder is touched, not even the thumbnails
        and exports under <code>.winnow/</code>.
      </p>
      {confirming ? (
        <p className="inline-form">
          Delete “{dataset}” from Winnow?
          <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
            Delete dataset
          </button>
          <button type="button" className="quiet" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Delete dataset…
        </button>
      )}
      {remove.isError && <ErrorMessage error={remove.error} title="Not deleted." />}
    </details>
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

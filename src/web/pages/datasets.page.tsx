import { useQuery } from '@tanstack/react-query';
import { api, type DatasetSummary } from '../api.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageHeading } from '../components/page-heading.js';
import { formatCount, formatDate } from '../format.js';
import { Link, routePath } from '../router.js';

export const datasetsKey = ['datasets'] as const;

export function DatasetsPage() {
  const datasets = useQuery({ queryKey: datasetsKey, queryFn: api.listDatasets });
  return (
    <div className="page">
      <div className="page-header">
        <PageHeading title="Datasets">Datasets</PageHeading>
        <Link to={routePath.newDataset()} className="button primary">
          New dataset
        </Link>
      </div>
      {datasets.isPending && <p aria-busy="true">Loading datasets…</p>}
      {datasets.isError && <ErrorMessage error={datasets.error} />}
      {datasets.data?.length === 0 && (
        <div className="empty-state">
          <p>No datasets yet. A dataset is one folder of a bucket (or a local folder); Winnow indexes its images without copying them.</p>
          <Link to={routePath.newDataset()} className="button primary">
            Create the first dataset
          </Link>
        </div>
      )}
      {datasets.data !== undefined && datasets.data.length > 0 && <DatasetTable datasets={datasets.data} />}
    </div>
  );
}

function DatasetTable({ datasets }: { datasets: DatasetSummary[] }) {
  return (
    <table className="datasets">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Location</th>
          <th scope="col" className="number">
            Samples
          </th>
          <th scope="col">Last sync</th>
        </tr>
      </thead>
      <tbody>
        {datasets.map((dataset) => (
          <tr key={dataset.name}>
            <th scope="row">
              <Link to={routePath.dataset(dataset.name)}>{dataset.name}</Link>
            </th>
            <td className="location">{dataset.input}</td>
            <td className="number">{formatCount(dataset.samples)}</td>
            <td>
              {dataset.lastSyncedAt === null ? (dataset.syncStatus === 'running' ? 'Running…' : 'Never') : formatDate(dataset.lastSyncedAt)}
              {dataset.syncStatus !== null && dataset.syncStatus !== 'completed' && dataset.syncStatus !== 'running' && (
                <span className="badge warn">{dataset.syncStatus}</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

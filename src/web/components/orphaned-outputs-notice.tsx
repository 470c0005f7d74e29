import { useMutation } from '@tanstack/react-query';
import { api, type DatasetDetails } from '../api.js';
import { formatCount } from '../format.js';
import { ErrorMessage } from './error-message.js';

/**
 * Thumbnails of removed samples that a sync could not delete, with the button that deletes them
 * now (as `winnow dataset clean-outputs`); nothing when there are none.
 */
export function OrphanedOutputsNotice({ dataset, details, onCleaned }: { dataset: string; details: DatasetDetails; onCleaned: () => void }) {
  const clean = useMutation({ mutationFn: () => api.cleanOutputs(dataset), onSuccess: onCleaned });
  const orphans = details.orphanedOutputs;
  if (orphans.count === 0 && clean.data === undefined && !clean.isError) return null;
  return (
    <div className="notice orphaned-outputs-notice" role="status">
      {orphans.count > 0 && (
        <>
          <strong>
            {formatCount(orphans.count)} thumbnail{orphans.count === 1 ? '' : 's'} of removed samples still in {details.output.uri}.winnow/
          </strong>
          <ul>
            {orphans.first.slice(0, 3).map((key) => (
              <li key={key}>{key}</li>
            ))}
            {orphans.count > 3 && <li>…</li>}
          </ul>
          <p>
            {orphans.deleteAllowed === false
              ? 'The last try was denied: the keys may not delete there. Once delete is granted under .winnow/, clean them up.'
              : 'Winnow wrote them and nothing else uses them; only they are deleted.'}{' '}
            <button type="button" onClick={() => clean.mutate()} disabled={clean.isPending}>
              {clean.isPending ? 'Cleaning…' : 'Clean outputs'}
            </button>
          </p>
        </>
      )}
      {clean.data && (
        <p className="clean-outputs-result">
          Deleted {formatCount(clean.data.deleted)} thumbnail{clean.data.deleted === 1 ? '' : 's'} of removed samples.
          {clean.data.left > 0 && ` ${formatCount(clean.data.left)} left: ${clean.data.reason ?? ''}`}
        </p>
      )}
      {clean.isError && <ErrorMessage error={clean.error} title="Not cleaned." />}
    </div>
  );
}

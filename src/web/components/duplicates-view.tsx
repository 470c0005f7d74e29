import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../api.js';
import { formatCount } from '../format.js';
import { ErrorMessage } from './error-message.js';
import { SampleImage } from './sample-image.js';
import { invalidateTagViews } from './selection-bar.js';

/**
 * Exact copies and near-duplicates, one group per row with the suggested keeper first, and "Tag the
 * rest": every sample but the keepers goes into a tag (to leave out of labelling or export).
 */
export function DuplicatesView({ dataset, onOpenSample }: { dataset: string; onOpenSample: (key: string) => void }) {
  const id = useId();
  const [threshold, setThreshold] = useState('');
  const [tagName, setTagName] = useState('duplicates');
  const tags = useQuery({ queryKey: ['tags', dataset], queryFn: () => api.tags(dataset) });
  const find = useMutation({ mutationFn: () => api.duplicates(dataset, threshold === '' ? {} : { threshold: Number(threshold) }) });
  const groups = find.data?.groups ?? [];
  const rest = groups.flatMap((group) => group.keys.filter((key) => key !== group.keep));
  const tagRest = useMutation({
    mutationFn: () => {
      const exists = tags.data?.some((tag) => tag.name === tagName.trim()) ?? false;
      return api.createTag(dataset, { name: tagName.trim(), keys: rest, mode: exists ? 'append' : 'create' });
    },
    onSuccess: () => invalidateTagViews(dataset),
  });

  return (
    <section className="duplicates-view" aria-label="Duplicates">
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          find.mutate();
        }}
      >
        <label htmlFor={`${id}-threshold`}>Cosine distance up to</label>
        <input
          id={`${id}-threshold`}
          type="number"
          min="0"
          max="2"
          step="0.01"
          placeholder="calibrated default"
          value={threshold}
          onChange={(event) => setThreshold(event.target.value)}
        />
        <button type="submit" className="primary" disabled={find.isPending}>
          {find.isPending ? 'Finding…' : 'Find duplicates'}
        </button>
      </form>
      {find.isError && <ErrorMessage error={find.error} title="No duplicates found." />}
      {find.data && (
        <>
          <p role="status">
            {groups.length === 0
              ? `No duplicates at a distance up to ${find.data.threshold}.`
              : `${formatCount(groups.length)} groups at a distance up to ${find.data.threshold}: keep ${formatCount(groups.length)}, ${formatCount(rest.length)} to leave out.`}
          </p>
          {rest.length > 0 && (
            <form
              className="inline-form"
              onSubmit={(event) => {
                event.preventDefault();
                if (tagName.trim() !== '') tagRest.mutate();
              }}
            >
              <label htmlFor={`${id}-tag`}>Tag the rest as</label>
              <input id={`${id}-tag`} value={tagName} onChange={(event) => setTagName(event.target.value)} />
              <button type="submit" disabled={tagRest.isPending || tagName.trim() === ''}>
                Tag the rest
              </button>
              {tagRest.data && (
                <span role="status">
                  Tagged {formatCount(rest.length)} as “{tagRest.data.name}” (now {formatCount(tagRest.data.size)}).
                </span>
              )}
            </form>
          )}
          {tagRest.isError && <ErrorMessage error={tagRest.error} title="Not tagged." />}
          <ol className="duplicate-groups">
            {groups.map((group) => (
              <li key={group.keep} className="duplicate-group" data-keep={group.keep}>
                {[group.keep, ...group.keys.filter((key) => key !== group.keep)].map((key) => (
                  <DuplicateCard key={key} dataset={dataset} sampleKey={key} keep={key === group.keep} onOpen={onOpenSample} />
                ))}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function DuplicateCard({ dataset, sampleKey, keep, onOpen }: { dataset: string; sampleKey: string; keep: boolean; onOpen: (key: string) => void }) {
  const sample = useQuery({ queryKey: ['sample', dataset, sampleKey], queryFn: () => api.sample(dataset, sampleKey), staleTime: 5 * 60_000 });
  return (
    <button type="button" className={`duplicate-card${keep ? ' keep' : ''}`} data-key={sampleKey} onClick={() => onOpen(sampleKey)}>
      <span className="thumb">
        {sample.data ? <SampleImage dataset={dataset} sample={sample.data} variant="thumbnail" alt="" /> : <span className="image-loading" />}
      </span>
      <span className="badge">{keep ? 'keep (suggested)' : 'duplicate'}</span>
      <span className="sample-key">{sampleKey}</span>
      {sample.data && sample.data.width !== null && (
        <span className="hint">
          {sample.data.width} × {sample.data.height}, {formatCount(sample.data.size)} bytes
        </span>
      )}
    </button>
  );
}

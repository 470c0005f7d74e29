import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../api.js';
import { formatCount } from '../format.js';
import { queryClient } from '../query-client.js';
import { ErrorMessage } from './error-message.js';

/** Everything that shows a tag's members: the tags list, tag details, the grid's pages (a tag filter). */
export function invalidateTagViews(dataset: string): Promise<unknown> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: ['tags', dataset] }),
    queryClient.invalidateQueries({ queryKey: ['tag', dataset] }),
    queryClient.invalidateQueries({ queryKey: ['samples', dataset] }),
  ]);
}

interface SelectionBarProps {
  dataset: string;
  keys: readonly string[];
  onClear: () => void;
  /** Present where the grid is not already showing the selection. */
  onShowInGrid?: (() => void) | undefined;
}

/** The selected samples (from the map's lasso or the grid's checkboxes): tag them, take them out of a tag, show them. */
export function SelectionBar({ dataset, keys, onClear, onShowInGrid }: SelectionBarProps) {
  const id = useId();
  const tags = useQuery({ queryKey: ['tags', dataset], queryFn: () => api.tags(dataset) });
  const [tagName, setTagName] = useState('');
  const [untagName, setUntagName] = useState('');
  const [done, setDone] = useState<string | null>(null);

  const tag = useMutation({
    mutationFn: async (name: string) => {
      const exists = tags.data?.some((existing) => existing.name === name) ?? false;
      return api.createTag(dataset, { name, keys: [...keys], mode: exists ? 'append' : 'create' });
    },
    onSuccess: async (result) => {
      setDone(`Tagged ${formatCount(keys.length)} as “${result.name}” (now ${formatCount(result.size)}).`);
      await invalidateTagViews(dataset);
    },
  });
  const untag = useMutation({
    mutationFn: async (name: string) => {
      const current = await api.tag(dataset, name);
      const removed = new Set(keys);
      return api.createTag(dataset, { name, keys: current.keys.filter((key) => !removed.has(key)), mode: 'replace' });
    },
    onSuccess: async (result) => {
      setDone(`Took the selection out of “${result.name}” (now ${formatCount(result.size)}).`);
      await invalidateTagViews(dataset);
    },
  });

  if (keys.length === 0) return null;
  return (
    <section className="selection-bar" aria-label="Selection">
      <strong className="selection-count">{formatCount(keys.length)} selected</strong>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (tagName.trim() !== '') tag.mutate(tagName.trim());
        }}
      >
        <label htmlFor={`${id}-tag`}>Tag these as</label>
        <input id={`${id}-tag`} list={`${id}-tags`} value={tagName} placeholder="new or existing tag" onChange={(event) => setTagName(event.target.value)} />
        <datalist id={`${id}-tags`}>
          {tags.data?.map((existing) => (
            <option key={existing.name} value={existing.name} />
          ))}
        </datalist>
        <button type="submit" disabled={tag.isPending || tagName.trim() === ''}>
          Tag these
        </button>
      </form>
      {tags.data && tags.data.length > 0 && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (untagName !== '') untag.mutate(untagName);
          }}
        >
          <label htmlFor={`${id}-untag`}>Remove from</label>
          <select id={`${id}-untag`} value={untagName} onChange={(event) => setUntagName(event.target.value)}>
            <option value="">a tag…</option>
            {tags.data.map((existing) => (
              <option key={existing.name} value={existing.name}>
                {existing.name}
              </option>
            ))}
          </select>
          <button type="submit" disabled={untag.isPending || untagName === ''}>
            Untag
          </button>
        </form>
      )}
      {onShowInGrid && (
        <button type="button" onClick={onShowInGrid}>
          Show in grid
        </button>
      )}
      <button type="button" className="quiet" onClick={onClear}>
        Clear selection
      </button>
      {done && (
        <span className="selection-done" role="status">
          {done}
        </span>
      )}
      {tag.isError && <ErrorMessage error={tag.error} title="Not tagged." />}
      {untag.isError && <ErrorMessage error={untag.error} title="Not untagged." />}
    </section>
  );
}

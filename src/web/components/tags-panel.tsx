import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, type Tag, type TagExportFormat } from '../api.js';
import { formatCount } from '../format.js';
import { ErrorMessage } from './error-message.js';
import { invalidateTagViews } from './selection-bar.js';

const FORMATS: TagExportFormat[] = ['txt', 'json', 'csv'];
type Operation = 'union' | 'intersection' | 'difference';

interface TagsPanelProps {
  dataset: string;
  /** The tag the grid and map are filtered by, if any. */
  shownTag: string | undefined;
  onShow: (tag: string | undefined) => void;
}

/** The dataset's tags with their sizes: show one, rename, delete, export, and combine several into a new one. */
export function TagsPanel({ dataset, shownTag, onShow }: TagsPanelProps) {
  const tags = useQuery({ queryKey: ['tags', dataset], queryFn: () => api.tags(dataset) });
  const [ticked, setTicked] = useState<string[]>([]);
  const list = tags.data ?? [];
  return (
    <details className="tags-panel" open={list.length > 0}>
      <summary>Tags{tags.data ? ` (${list.length})` : ''}</summary>
      {tags.isError && <ErrorMessage error={tags.error} />}
      {tags.data && list.length === 0 && <p className="hint">No tags yet: select samples in the grid or on the map, then “Tag these”.</p>}
      {list.length > 0 && (
        <table className="tags-table">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Combine</span>
              </th>
              <th scope="col">Tag</th>
              <th scope="col">Samples</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((tag) => (
              <TagRow
                key={tag.name}
                dataset={dataset}
                tag={tag}
                shown={shownTag === tag.name}
                ticked={ticked.includes(tag.name)}
                onTick={(on) => setTicked((current) => (on ? [...current, tag.name] : current.filter((name) => name !== tag.name)))}
                onShow={onShow}
              />
            ))}
          </tbody>
        </table>
      )}
      {list.length >= 2 && <CombineForm dataset={dataset} of={ticked} onDone={() => setTicked([])} />}
    </details>
  );
}

function TagRow({
  dataset,
  tag,
  shown,
  ticked,
  onTick,
  onShow,
}: {
  dataset: string;
  tag: Tag;
  shown: boolean;
  ticked: boolean;
  onTick: (on: boolean) => void;
  onShow: (tag: string | undefined) => void;
}) {
  const [mode, setMode] = useState<'idle' | 'rename' | 'delete'>('idle');
  const [newName, setNewName] = useState(tag.name);
  const [format, setFormat] = useState<TagExportFormat>('txt');
  const rename = useMutation({
    mutationFn: () => api.updateTag(dataset, tag.name, { name: newName.trim() }),
    onSuccess: async (renamed) => {
      setMode('idle');
      if (shown) onShow(renamed.name);
      await invalidateTagViews(dataset);
    },
  });
  const remove = useMutation({
    mutationFn: () => api.deleteTag(dataset, tag.name),
    onSuccess: async () => {
      if (shown) onShow(undefined);
      await invalidateTagViews(dataset);
    },
  });
  const write = useMutation({ mutationFn: () => api.exportTagToOutput(dataset, tag.name, format) });

  return (
    <tr data-tag={tag.name} aria-current={shown ? 'true' : undefined}>
      <td>
        <input type="checkbox" checked={ticked} aria-label={`Combine ${tag.name}`} onChange={(event) => onTick(event.target.checked)} />
      </td>
      <td className="tag-name">
        {mode === 'rename' ? (
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (newName.trim() !== '' && newName.trim() !== tag.name) rename.mutate();
            }}
          >
            <input aria-label={`New name for ${tag.name}`} value={newName} onChange={(event) => setNewName(event.target.value)} autoFocus />
            <button type="submit" disabled={rename.isPending}>
              Save
            </button>
            <button type="button" className="quiet" onClick={() => setMode('idle')}>
              Cancel
            </button>
          </form>
        ) : (
          <button
            type="button"
            className="link-button"
            onClick={() => onShow(shown ? undefined : tag.name)}
            title={shown ? 'Show all samples' : 'Show only this tag'}
          >
            {tag.name}
          </button>
        )}
        {tag.description && <span className="hint"> {tag.description}</span>}
        {rename.isError && <ErrorMessage error={rename.error} title="Not renamed." />}
      </td>
      <td className="tag-size">{formatCount(tag.size)}</td>
      <td className="tag-actions">
        {mode === 'delete' ? (
          <span className="inline-form">
            Delete “{tag.name}”? Its samples stay.
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
              Delete
            </button>
            <button type="button" className="quiet" onClick={() => setMode('idle')}>
              Keep
            </button>
          </span>
        ) : (
          <>
            <button type="button" className="quiet" onClick={() => setMode('rename')}>
              Rename
            </button>
            <button type="button" className="quiet" onClick={() => setMode('delete')}>
              Delete…
            </button>
            <select aria-label={`Export format for ${tag.name}`} value={format} onChange={(event) => setFormat(event.target.value as TagExportFormat)}>
              {FORMATS.map((value) => (
                <option key={value} value={value}>
                  .{value}
                </option>
              ))}
            </select>
            <a className="button quiet" href={api.tagExportUrl(dataset, tag.name, format)} download={`${tag.name}.${format}`}>
              Download
            </a>
            <button type="button" className="quiet" onClick={() => write.mutate()} disabled={write.isPending}>
              Write to output
            </button>
          </>
        )}
        {write.data && (
          <span className="hint" role="status">
            Wrote {formatCount(write.data.count)} keys to <code>{write.data.location}</code>
          </span>
        )}
        {write.isError && <ErrorMessage error={write.error} title="Not written." />}
        {remove.isError && <ErrorMessage error={remove.error} title="Not deleted." />}
      </td>
    </tr>
  );
}

/** A new tag from the ticked ones: their union, intersection, or the first minus the others. */
function CombineForm({ dataset, of, onDone }: { dataset: string; of: string[]; onDone: () => void }) {
  const id = useId();
  const [operation, setOperation] = useState<Operation>('union');
  const [name, setName] = useState('');
  const combine = useMutation({
    mutationFn: () => api.createTag(dataset, { name: name.trim(), combine: { operation, of } }),
    onSuccess: async () => {
      setName('');
      onDone();
      await invalidateTagViews(dataset);
    },
  });
  return (
    <form
      className="combine-form inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        combine.mutate();
      }}
    >
      <label htmlFor={`${id}-operation`}>Combine the ticked tags ({of.length === 0 ? 'tick two or more' : of.join(', ')}) by</label>
      <select id={`${id}-operation`} value={operation} onChange={(event) => setOperation(event.target.value as Operation)}>
        <option value="union">union</option>
        <option value="intersection">intersection</option>
        <option value="difference">difference (first minus the rest)</option>
      </select>
      <label htmlFor={`${id}-name`}>into</label>
      <input id={`${id}-name`} value={name} placeholder="new tag" onChange={(event) => setName(event.target.value)} />
      <button type="submit" disabled={combine.isPending || of.length < 2 || name.trim() === ''}>
        Combine
      </button>
      {combine.isError && <ErrorMessage error={combine.error} title="Not combined." />}
    </form>
  );
}

import { useEffect, useId, useRef, useState } from 'react';
import type { SampleFilters, SampleStatus } from '../api.js';

const STATUSES: Array<[SampleStatus | '', string]> = [
  ['', 'Any status'],
  ['ok', 'Readable'],
  ['error', 'Unreadable'],
  ['pending', 'Not read yet'],
];
const EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'bmp', 'tif', 'tiff', 'avif'];
const SORTS: Array<[string, string]> = [
  ['key-asc', 'Key, A → Z'],
  ['key-desc', 'Key, Z → A'],
  ['date-desc', 'Newest first'],
  ['date-asc', 'Oldest first'],
];
const TYPING_PAUSE_MS = 300;

/** Filters live in the address (?status=&ext=&folder=&q=&tag=&sort=), so a filtered view can be bookmarked and shared. */
export function filtersFromSearch(search: string): SampleFilters {
  const params = new URLSearchParams(search);
  const status = params.get('status');
  const [sort, order] = (params.get('sort') ?? 'key-asc').split('-');
  return {
    status: status === 'ok' || status === 'error' || status === 'pending' ? status : undefined,
    extension: params.get('ext') ?? undefined,
    folder: params.get('folder') ?? undefined,
    q: params.get('q') ?? undefined,
    tag: params.get('tag') ?? undefined,
    sort: sort === 'date' ? 'date' : 'key',
    order: order === 'desc' ? 'desc' : 'asc',
  };
}

export function searchFromFilters(filters: SampleFilters): string {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.extension) params.set('ext', filters.extension);
  if (filters.folder) params.set('folder', filters.folder);
  if (filters.q) params.set('q', filters.q);
  if (filters.tag) params.set('tag', filters.tag);
  if (filters.sort !== 'key' || filters.order !== 'asc') params.set('sort', `${filters.sort}-${filters.order}`);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function hasFilters(filters: SampleFilters): boolean {
  return Boolean(filters.status || filters.extension || filters.folder || filters.q || filters.tag);
}

export function SampleFilterBar({
  filters,
  tags,
  onChange,
}: {
  filters: SampleFilters;
  /** The dataset's tag names, to filter by one. */
  tags: readonly string[];
  onChange: (filters: SampleFilters) => void;
}) {
  const id = useId();
  const blankToUndefined = (value: string) => (value === '' ? undefined : value);
  return (
    <form className="filters" role="search" aria-label="Filter samples" onSubmit={(event) => event.preventDefault()}>
      <div className="field">
        <label htmlFor={`${id}-q`}>Name contains</label>
        <TypedFilter id={`${id}-q`} value={filters.q ?? ''} placeholder="cow-01" onCommit={(q) => onChange({ ...filters, q: blankToUndefined(q) })} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-folder`}>Folder</label>
        <TypedFilter
          id={`${id}-folder`}
          value={filters.folder ?? ''}
          placeholder="cows/"
          onCommit={(folder) => onChange({ ...filters, folder: blankToUndefined(folder) })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-tag`}>Tag</label>
        <select id={`${id}-tag`} value={filters.tag ?? ''} onChange={(event) => onChange({ ...filters, tag: blankToUndefined(event.target.value) })}>
          <option value="">Any tag</option>
          {[...new Set([...tags, ...(filters.tag ? [filters.tag] : [])])].map((tag) => (
            <option key={tag} value={tag}>
              {tag}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select
          id={`${id}-status`}
          value={filters.status ?? ''}
          onChange={(event) => onChange({ ...filters, status: blankToUndefined(event.target.value) as SampleStatus | undefined })}
        >
          {STATUSES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-ext`}>Type</label>
        <select
          id={`${id}-ext`}
          value={filters.extension ?? ''}
          onChange={(event) => onChange({ ...filters, extension: blankToUndefined(event.target.value) })}
        >
          <option value="">Any type</option>
          {EXTENSIONS.map((extension) => (
            <option key={extension} value={extension}>
              .{extension}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-sort`}>Sort</label>
        <select
          id={`${id}-sort`}
          value={`${filters.sort}-${filters.order}`}
          onChange={(event) => {
            const [sort, order] = event.target.value.split('-') as ['key' | 'date', 'asc' | 'desc'];
            onChange({ ...filters, sort, order });
          }}
        >
          {SORTS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {hasFilters(filters) && (
        <button type="button" className="quiet" onClick={() => onChange({ sort: filters.sort, order: filters.order })}>
          Clear filters
        </button>
      )}
    </form>
  );
}

/** A text filter applied after a pause in typing (or at once on Enter), not on every keystroke. */
function TypedFilter({ id, value, placeholder, onCommit }: { id: string; value: string; placeholder: string; onCommit: (value: string) => void }) {
  const [text, setText] = useState(value);
  // The parent re-renders on every sync poll; the pause timer must not restart with it.
  const commit = useRef(onCommit);
  useEffect(() => {
    commit.current = onCommit;
  });
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = window.setTimeout(() => commit.current(text), TYPING_PAUSE_MS);
    return () => window.clearTimeout(timer);
  }, [text, value]);
  return (
    <input
      id={id}
      type="search"
      value={text}
      placeholder={placeholder}
      spellCheck={false}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && text !== value) onCommit(text);
      }}
    />
  );
}

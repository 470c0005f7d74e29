import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Sample } from '../api.js';
import { fileName, folderOf, formatCount } from '../format.js';
import { useElementWidth } from '../hooks/use-element-width.js';
import { PAGE_SIZE, type SamplePages } from '../hooks/use-sample-pages.js';
import { ErrorMessage } from './error-message.js';
import { SampleDetail } from './sample-detail.js';
import { SampleImage } from './sample-image.js';

// Fixed row heights keep row positions arithmetic: no measuring, so a million rows cost what ten do.
/** Cells are at least this wide; the columns share what is left over. */
const CELL_WIDTH = 176;
const GAP = 8;
const ROW_HEIGHT = 212;
const GRID_PADDING = 16;
/**
 * Browsers cap an element's height (Chrome near 33.5M px, Firefox near 17.9M px), which a million
 * samples in rows of 212 px would pass. So the grid lays out a window of rows and slides it
 * forward or back when the user nears one of its edges.
 */
const WINDOW_ROWS = 30_000;
const SLIDE_ROWS = 10_000;
const EDGE_ROWS = 100;

interface SampleGridProps {
  dataset: string;
  /** The samples to show: keyset pages of a filtered dataset, or a list of keys (a selection). */
  pages: SamplePages;
  emptyMessage: string;
  /** The number of samples when known without paging to the end (no filters), for the status line. */
  knownTotal?: number | undefined;
  selectedKeys: ReadonlySet<string>;
  /** A checkbox was clicked: toggle one sample, or (with Shift) select the range from the last one clicked. */
  onSelectKeys: (keys: string[], selected: boolean) => void;
  /** "More like this" from the sample's detail. */
  onMoreLikeThis?: ((key: string) => void) | undefined;
}

/**
 * The dataset's samples as a virtualised grid: only the rows on screen exist in the DOM, and
 * only their keyset pages are fetched. Arrow keys, Page Up/Down and Home/End move between
 * cells; Enter opens the sample.
 */
export function SampleGrid({ dataset, pages, emptyMessage, knownTotal, selectedKeys, onSelectKeys, onMoreLikeThis }: SampleGridProps) {
  const { showRange } = pages;
  const scroller = useRef<HTMLDivElement>(null);
  const width = useElementWidth(scroller);
  const columns = Math.max(1, Math.floor((width - 2 * GRID_PADDING + GAP) / (CELL_WIDTH + GAP)));

  // The window starts at a sample, not a row, so it stays put when a resize changes the columns.
  const [windowStart, setWindowStart] = useState(0);
  const firstRow = Math.floor(windowStart / columns);
  const totalRows = Math.ceil(pages.count / columns);
  const windowRows = Math.max(0, Math.min(WINDOW_ROWS, totalRows - firstRow));
  const virtualizer = useVirtualizer({
    count: windowRows,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    paddingStart: GRID_PADDING,
    paddingEnd: GRID_PADDING,
    overscan: 3,
  });
  const rows = virtualizer.getVirtualItems();
  const firstRendered = (firstRow + (rows[0]?.index ?? 0)) * columns;
  const lastRendered = (firstRow + (rows.at(-1)?.index ?? 0) + 1) * columns - 1;
  useEffect(() => showRange(firstRendered, lastRendered), [showRange, firstRendered, lastRendered]);

  const firstWindowRow = rows[0]?.index;
  const lastWindowRow = rows.at(-1)?.index;
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || firstWindowRow === undefined || lastWindowRow === undefined) return;
    let slide = 0;
    if (lastWindowRow >= windowRows - EDGE_ROWS && firstRow + windowRows < totalRows) slide = SLIDE_ROWS;
    else if (firstWindowRow < EDGE_ROWS && firstRow > 0) slide = -Math.min(SLIDE_ROWS, firstRow);
    if (slide === 0) return;
    setWindowStart((firstRow + slide) * columns);
    element.scrollTop -= slide * ROW_HEIGHT;
  }, [firstWindowRow, lastWindowRow, windowRows, firstRow, totalRows, columns]);

  // A keyboard jump outside the window moves the window first; the scroll follows once it has rendered.
  const pendingScrollRow = useRef<number | null>(null);
  useEffect(() => {
    if (pendingScrollRow.current === null) return;
    virtualizer.scrollToIndex(pendingScrollRow.current - firstRow, { align: 'auto' });
    pendingScrollRow.current = null;
  });
  const scrollToRow = (row: number) => {
    if (row >= firstRow && row < firstRow + WINDOW_ROWS) {
      virtualizer.scrollToIndex(row - firstRow, { align: 'auto' });
      return;
    }
    pendingScrollRow.current = row;
    setWindowStart(Math.max(0, row - SLIDE_ROWS) * columns);
  };

  const [active, setActive] = useState(0);
  const [detailOpen, setDetailOpen] = useState(false);
  const focusPending = useRef(false);
  useEffect(() => {
    if (!focusPending.current || detailOpen) return;
    const cell = scroller.current?.querySelector<HTMLElement>(`[data-index="${active}"]`);
    if (!cell) return;
    cell.focus({ preventScroll: true });
    focusPending.current = false;
  });

  const moveTo = (index: number, options: { focus: boolean }) => {
    const next = Math.max(0, Math.min(pages.count - 1, index));
    setActive(next);
    focusPending.current = options.focus;
    scrollToRow(Math.floor(next / columns));
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (!(event.target instanceof HTMLElement) || event.target.dataset.index === undefined) return;
    const pageRows = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT) / ROW_HEIGHT));
    const rowStart = active - (active % columns);
    const targets: Record<string, number> = {
      ArrowRight: active + 1,
      ArrowLeft: active - 1,
      ArrowDown: active + columns,
      ArrowUp: active - columns,
      PageDown: active + pageRows * columns,
      PageUp: active - pageRows * columns,
      Home: event.ctrlKey ? 0 : rowStart,
      End: event.ctrlKey ? pages.count - 1 : rowStart + columns - 1,
    };
    const target = targets[event.key];
    if (target !== undefined) {
      event.preventDefault();
      moveTo(target, { focus: true });
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      setDetailOpen(true);
    }
  };

  const openSample = useCallback((index: number) => {
    setActive(index);
    setDetailOpen(true);
  }, []);
  // Shift-click selects (or clears) everything loaded between the last checkbox clicked and this one.
  const anchor = useRef<number | null>(null);
  const latestPages = useRef(pages);
  latestPages.current = pages;
  const toggleSample = useCallback(
    (index: number, selected: boolean, range: boolean) => {
      const from = range && anchor.current !== null ? Math.min(anchor.current, index) : index;
      const to = range && anchor.current !== null ? Math.max(anchor.current, index) : index;
      const keys: string[] = [];
      for (let position = from; position <= to; position += 1) {
        const sample = latestPages.current.sampleAt(position);
        if (sample) keys.push(sample.key);
      }
      anchor.current = index;
      onSelectKeys(keys, selected);
    },
    [onSelectKeys],
  );
  const activeRendered = active >= firstRendered && active <= lastRendered;
  const total = pages.complete ? pages.count : null;

  return (
    <div className="sample-grid-area">
      <p className="grid-status" role="status">
        {pages.loadingFirstPage ? 'Loading samples…' : describeCount(total ?? knownTotal, pages.count)}
      </p>
      {pages.error && <ErrorMessage error={pages.error} title="Some samples could not be loaded." />}
      {total === 0 && <p className="empty-state">{emptyMessage}</p>}
      <div
        ref={scroller}
        className="sample-grid"
        role="grid"
        aria-label="Samples"
        aria-rowcount={total === null ? -1 : Math.ceil(total / columns)}
        aria-colcount={columns}
        // When the focused cell has scrolled away (and left the DOM), the grid itself takes Tab and hands focus on.
        tabIndex={activeRendered ? -1 : 0}
        onFocus={(event) => {
          if (event.target === scroller.current && pages.count > 0) moveTo(Math.max(firstRendered, Math.min(active, lastRendered)), { focus: true });
        }}
        onKeyDown={onKeyDown}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {rows.map((row) => (
            <div
              key={row.key}
              role="row"
              aria-rowindex={firstRow + row.index + 1}
              className="grid-row"
              style={{
                transform: `translateY(${row.start}px)`,
                height: ROW_HEIGHT,
                gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
                gap: GAP,
                padding: `0 ${GRID_PADDING}px`,
              }}
            >
              {Array.from({ length: columns }, (_, column) => (firstRow + row.index) * columns + column)
                .filter((index) => index < pages.count)
                .map((index) => (
                  <SampleCell
                    key={index}
                    dataset={dataset}
                    index={index}
                    sample={pages.sampleAt(index)}
                    active={index === active}
                    selected={pages.sampleAt(index) !== undefined && selectedKeys.has(pages.sampleAt(index)!.key)}
                    onFocus={setActive}
                    onOpen={openSample}
                    onToggle={toggleSample}
                  />
                ))}
            </div>
          ))}
        </div>
      </div>
      {detailOpen && (
        <SampleDetail
          dataset={dataset}
          sample={pages.sampleAt(active)}
          position={active}
          count={pages.count}
          total={total}
          onStep={(delta) => moveTo(active + delta, { focus: false })}
          onMoreLikeThis={onMoreLikeThis}
          onClose={() => {
            setDetailOpen(false);
            focusPending.current = true;
          }}
        />
      )}
    </div>
  );
}

function describeCount(total: number | undefined | null, loadedOrPending: number): string {
  if (total !== undefined && total !== null) return `${formatCount(total)} ${total === 1 ? 'sample' : 'samples'}`;
  return `More than ${formatCount(loadedOrPending - PAGE_SIZE)} samples`;
}

interface SampleCellProps {
  dataset: string;
  index: number;
  sample: Sample | undefined;
  active: boolean;
  selected: boolean;
  onFocus: (index: number) => void;
  onOpen: (index: number) => void;
  onToggle: (index: number, selected: boolean, range: boolean) => void;
}

/** Memoised: scrolling re-renders the grid on every frame, but a cell only when its sample arrives or it gains or loses focus. */
const SampleCell = memo(function SampleCell({ dataset, index, sample, active, selected, onFocus, onOpen, onToggle }: SampleCellProps) {
  const name = sample ? fileName(sample.key) : '';
  const folder = sample ? folderOf(sample.key) : '';
  return (
    <div
      role="gridcell"
      className={`cell${sample?.status === 'error' ? ' has-error' : ''}${selected ? ' is-selected' : ''}`}
      data-index={index}
      data-key={sample?.key}
      tabIndex={active ? 0 : -1}
      aria-selected={active}
      aria-busy={sample === undefined}
      aria-label={sample ? `${sample.key}${sample.status === 'error' ? ', unreadable' : ''}` : 'Loading'}
      title={sample?.key}
      onFocus={() => onFocus(index)}
      onClick={sample ? () => onOpen(index) : undefined}
    >
      <div className="thumb">
        {sample ? <SampleImage key={sample.key} dataset={dataset} sample={sample} variant="thumbnail" alt="" /> : <span className="image-loading" />}
      </div>
      <div className="caption">
        {sample && (
          <input
            type="checkbox"
            className="select-sample"
            checked={selected}
            aria-label={`Select ${sample.key}`}
            tabIndex={-1}
            onClick={(event) => {
              event.stopPropagation();
              onToggle(index, event.currentTarget.checked, event.shiftKey);
            }}
            onChange={() => undefined}
          />
        )}
        {folder !== '' && <span className="folder">{folder}</span>}
        <span className="name">{name}</span>
        {sample && sample.status !== 'ok' && <span className={`badge status-${sample.status}`}>{sample.status}</span>}
      </div>
    </div>
  );
});

import { useQueries } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { api, type Sample, type SampleFilters, type SamplePage } from '../api.js';

export const PAGE_SIZE = 200;
/** Presigned URLs live 15 minutes by default: refetch a page well before its URLs expire. */
const PAGE_FRESH_MS = 5 * 60_000;
/** Pages scrolled out of view are dropped soon, so memory stays flat however far the user scrolls. */
const PAGE_KEEP_MS = 30_000;

/**
 * The cursor that fetches each page discovered so far: page i+1 becomes known once page i
 * arrives with its nextCursor. Only these small strings are kept for the whole scroll.
 */
interface CursorChain {
  cursors: Array<string | undefined>;
  /** Length of the last page, once a page came back without a nextCursor. */
  lastPageLength: number | null;
}

export interface SamplePages {
  /** Samples known so far, plus one page of placeholders past the last loaded page until the end is reached. */
  count: number;
  /** True once the last page has been loaded. */
  complete: boolean;
  /** The sample at a position, or undefined while its page loads. */
  sampleAt(index: number): Sample | undefined;
  /** The error of the first page that failed in view. */
  error: Error | null;
  /** True until the first page has arrived. */
  loadingFirstPage: boolean;
  /** Tell which positions are on screen; their pages (and the next one) are fetched. */
  showRange(first: number, last: number): void;
}

/** Keyset pages of a dataset's samples, fetched as the user scrolls to them and forgotten when far away. */
export function useSamplePages(dataset: string, filters: SampleFilters, generation: string): SamplePages {
  const [chain, setChain] = useState<CursorChain>({ cursors: [undefined], lastPageLength: null });
  const [shown, setShown] = useState({ firstPage: 0, lastPage: 0 });
  const frontier = chain.cursors.length - 1;

  const indices: number[] = [];
  // One page beyond the last one in view is fetched ahead, so scrolling rarely meets placeholders.
  for (let index = shown.firstPage; index <= Math.min(shown.lastPage + 1, frontier); index += 1) indices.push(index);
  const results = useQueries({
    queries: indices.map((index) => ({
      queryKey: ['samples', dataset, generation, filters, index, chain.cursors[index]],
      queryFn: ({ signal }: { signal: AbortSignal }) => api.samples(dataset, filters, { cursor: chain.cursors[index], limit: PAGE_SIZE }, signal),
      staleTime: PAGE_FRESH_MS,
      gcTime: PAGE_KEEP_MS,
    })),
  });
  const pages = new Map<number, SamplePage>();
  let error: Error | null = null;
  for (const [position, index] of indices.entries()) {
    const result = results[position];
    if (result?.data) pages.set(index, result.data);
    error ??= result?.error ?? null;
  }

  const frontierPage = pages.get(frontier);
  useEffect(() => {
    if (frontierPage === undefined) return;
    setChain((current) => {
      if (current.cursors.length - 1 !== frontier || current.lastPageLength !== null) return current;
      if (frontierPage.nextCursor === null) return { ...current, lastPageLength: frontierPage.samples.length };
      return { cursors: [...current.cursors, frontierPage.nextCursor], lastPageLength: null };
    });
  }, [frontierPage, frontier]);

  const showRange = useCallback((first: number, last: number) => {
    const firstPage = Math.floor(Math.max(0, first) / PAGE_SIZE);
    const lastPage = Math.floor(Math.max(first, last) / PAGE_SIZE);
    setShown((current) => (current.firstPage === firstPage && current.lastPage === lastPage ? current : { firstPage, lastPage }));
  }, []);

  const complete = chain.lastPageLength !== null;
  return {
    count: complete ? frontier * PAGE_SIZE + (chain.lastPageLength ?? 0) : (frontier + 1) * PAGE_SIZE,
    complete,
    sampleAt: (index) => pages.get(Math.floor(index / PAGE_SIZE))?.samples[index % PAGE_SIZE],
    error,
    loadingFirstPage: frontier === 0 && !complete && !pages.has(0),
    showRange,
  };
}

/**
 * A fixed list of keys (a map selection, a sample's neighbours) as the grid's pages: only the
 * samples on screen are fetched, one by one, with fresh URLs.
 */
export function useKeyedSamples(dataset: string, keys: readonly string[]): SamplePages {
  const [shown, setShown] = useState({ first: 0, last: -1 });
  const visibleKeys = keys.slice(shown.first, shown.last + 1);
  const results = useQueries({
    queries: visibleKeys.map((key) => ({
      queryKey: ['sample', dataset, key],
      queryFn: () => api.sample(dataset, key),
      staleTime: PAGE_FRESH_MS,
      gcTime: PAGE_KEEP_MS,
    })),
  });
  const showRange = useCallback(
    (first: number, last: number) => setShown((current) => (current.first === first && current.last === last ? current : { first: Math.max(0, first), last })),
    [],
  );
  return {
    count: keys.length,
    complete: true,
    sampleAt: (index) => (index >= shown.first && index <= shown.last ? results[index - shown.first]?.data : undefined),
    error: results.find((result) => result.error)?.error ?? null,
    loadingFirstPage: false,
    showRange,
  };
}

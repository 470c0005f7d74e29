import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** The app's pages; everything else is the server's (/api, /login). */
export type Route =
  | { page: 'datasets' }
  | { page: 'new-dataset' }
  | { page: 'dataset'; name: string }
  | { page: 'edit-dataset'; name: string }
  | { page: 'jobs' }
  | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'datasets' };
  if (pathname === '/datasets/new') return { page: 'new-dataset' };
  const edit = /^\/datasets\/([^/]+)\/edit\/?$/.exec(pathname);
  if (edit?.[1] !== undefined) {
    const name = decodeSegment(edit[1]);
    return name === undefined ? { page: 'not-found' } : { page: 'edit-dataset', name };
  }
  if (pathname === '/jobs' || pathname === '/jobs/') return { page: 'jobs' };
  const dataset = /^\/datasets\/([^/]+)\/?$/.exec(pathname);
  if (dataset?.[1] !== undefined) {
    const name = decodeSegment(dataset[1]);
    return name === undefined ? { page: 'not-found' } : { page: 'dataset', name };
  }
  return { page: 'not-found' };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export const routePath = {
  datasets: () => '/',
  newDataset: () => '/datasets/new',
  dataset: (name: string) => `/datasets/${encodeURIComponent(name)}`,
  editDataset: (name: string) => `/datasets/${encodeURIComponent(name)}/edit`,
  jobs: () => '/jobs',
};

const NAVIGATED = 'winnow:navigated';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

/** `pathname + search`, re-rendering on every navigation. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.search };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** A real link (open in new tab works) that navigates inside the app on a plain click. */
export function Link({ to, onClick, ...props }: Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={follow} {...props} />;
}

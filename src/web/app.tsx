import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from './api.js';
import { ErrorMessage } from './components/error-message.js';
import { CreateDatasetPage } from './pages/create-dataset.page.js';
import { DatasetPage } from './pages/dataset.page.js';
import { DatasetsPage } from './pages/datasets.page.js';
import { EditDatasetPage } from './pages/edit-dataset.page.js';
import { JobsPage } from './pages/jobs.page.js';
import { NotFoundPage } from './pages/not-found.page.js';
import { SignInPage } from './pages/sign-in.page.js';
import { queryClient, sessionKey } from './query-client.js';
import { Link, navigate, parseRoute, routePath, useLocation, type Route } from './router.js';

export function App() {
  const session = useQuery({ queryKey: sessionKey, queryFn: api.session, staleTime: Infinity });
  const location = useLocation();
  const linkExpired = new URLSearchParams(location.search).get('signin') === 'expired';
  const signedIn = session.data?.signedIn === true;

  useEffect(() => {
    // A stale sign-in link is moot once a session exists.
    if (signedIn && linkExpired) navigate(location.pathname, { replace: true });
  }, [signedIn, linkExpired, location.pathname]);

  if (session.isPending) return <p className="page-loading">Loading…</p>;
  if (session.isError)
    return (
      <main className="narrow">
        <ErrorMessage error={session.error} />
      </main>
    );
  if (!signedIn) return <SignInPage linkExpired={linkExpired} />;
  const route = parseRoute(location.pathname);
  return (
    <AppShell route={route}>
      <CurrentPage route={route} />
    </AppShell>
  );
}

function CurrentPage({ route }: { route: Route }) {
  switch (route.page) {
    case 'datasets':
      return <DatasetsPage />;
    case 'new-dataset':
      return <CreateDatasetPage />;
    case 'dataset':
      return <DatasetPage key={route.name} name={route.name} />;
    case 'edit-dataset':
      return <EditDatasetPage key={route.name} name={route.name} />;
    case 'jobs':
      return <JobsPage />;
    case 'not-found':
      return <NotFoundPage />;
  }
}

function AppShell({ route, children }: { route: Route; children: React.ReactNode }) {
  const signOut = useMutation({
    mutationFn: api.signOut,
    onSuccess: () => {
      queryClient.clear();
      queryClient.setQueryData(sessionKey, { signedIn: false });
      navigate(routePath.datasets(), { replace: true });
    },
  });
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <Link to={routePath.datasets()} className="brand">
          Winnow
        </Link>
        <nav aria-label="Main">
          <Link to={routePath.datasets()} aria-current={route.page === 'datasets' ? 'page' : undefined}>
            Datasets
          </Link>
          <Link to={routePath.jobs()} aria-current={route.page === 'jobs' ? 'page' : undefined}>
            Jobs
          </Link>
          <a href="/api/docs">API docs</a>
        </nav>
        <button type="button" className="quiet" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

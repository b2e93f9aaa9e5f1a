/** The console's single page: the shell (navigation, who is signed in) and the page for the current path. */
import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo } from '../src/console/contract.ts';
import { loadSession, logout } from './lib/api.ts';
import { Link, usePath } from './lib/router.tsx';
import { AlertsPage } from './pages/alerts.tsx';
import { AuditLogPage } from './pages/audit-log.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { SecurityPage } from './pages/security.tsx';

// The instance page and uPlot load only when an instance is opened (the overview stays small).
const InstancePage = lazy(() => import('./pages/instance.tsx').then((m) => m.InstancePage));

function Page({ path, session }: { path: string; session: SessionInfo }) {
  const m = /^\/instances\/([^/]+)\/?$/.exec(path);
  if (m) {
    let instance = '';
    try {
      instance = decodeURIComponent(m[1]);
    } catch {
      return <NotFound />;
    }
    return (
      <Suspense fallback={<p class="loading">Loading the instance page…</p>}>
        <InstancePage key={instance} instance={instance} session={session} />
      </Suspense>
    );
  }
  switch (path) {
    case '/':
      return <OverviewPage />;
    case '/alerts':
      return <AlertsPage session={session} />;
    case '/security':
      return <SecurityPage session={session} />;
    case '/audit-log':
      return session.role === 'admin' ? <AuditLogPage /> : <p>The audit log is for admins.</p>;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  return (
    <p>
      No page here. <Link href="/">Back to the overview</Link>
    </p>
  );
}

const NAV: Array<{ href: string; label: string; admin?: boolean }> = [
  { href: '/', label: 'Overview' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/security', label: 'Security' },
  { href: '/audit-log', label: 'Audit log', admin: true },
];

function App() {
  const path = usePath();
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    loadSession()
      .then(setSession)
      .catch((e: Error) => setError(e.message));
  }, []);
  const current = (href: string) => (href === '/' ? path === '/' || path.startsWith('/instances/') : path === href);
  return (
    <>
      <header class="top">
        <a class="skip" href="#main">
          Skip to content
        </a>
        <Link href="/" class="brand">
          redoubt
        </Link>
        <nav aria-label="Pages">
          {NAV.filter((n) => !n.admin || session?.role === 'admin').map((n) => (
            <Link key={n.href} href={n.href} aria-current={current(n.href) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div class="who">
          {session && (
            <>
              <span data-testid="who">
                {session.user} <span class="muted">({session.role})</span>
              </span>
              <button type="button" onClick={() => logout()}>
                Sign out
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        {session ? <Page path={path} session={session} /> : !error && <p class="loading">Loading…</p>}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}

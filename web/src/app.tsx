/** The dashboard's shell: who is signed in, the navigation, and which page the path shows. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, setCsrfToken } from './lib/api';
import { href, navigate, type Route, segments, useRoute } from './lib/router';
import { SessionContext } from './lib/session';
import type { Me } from './lib/types';
import { AppPage } from './pages/app-page';
import { AuditPage } from './pages/audit';
import { LoginPage, SetupPage } from './pages/login';
import { NotificationsPage } from './pages/notifications';
import { OverviewPage } from './pages/overview';
import { SettingsPage } from './pages/settings';
import { UnitPage } from './pages/unit-page';

type Auth =
  | { status: 'loading' }
  | { status: 'in'; me: Me }
  | { status: 'anon' }
  | { status: 'open' }
  | { status: 'down'; error: string };

/** Reads /api/auth/me: signed in, anonymous, or no accounts API at all (`open`). */
function useAuth(): [Auth, () => void] {
  const [auth, setAuth] = useState<Auth>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api<Me>('/api/auth/me').then(
      (me) => {
        setCsrfToken(me.csrfToken);
        setAuth({ status: 'in', me });
      },
      (err: unknown) => {
        setCsrfToken(undefined);
        if (err instanceof ApiError && err.status === 401) setAuth({ status: 'anon' });
        else if (err instanceof ApiError && err.status === 404) setAuth({ status: 'open' });
        else setAuth({ status: 'down', error: err instanceof Error ? err.message : String(err) });
      },
    );
  }, [tick]);
  return [auth, () => setTick((t) => t + 1)];
}

/** The whole dashboard. */
export function App() {
  const route = useRoute();
  const [auth, refresh] = useAuth();
  const me = auth.status === 'in' ? auth.me : null;
  const publicPage = route.path === '/login' || route.path === '/setup';
  useEffect(() => {
    if (auth.status === 'anon' && !publicPage) navigate(`/login?next=${encodeURIComponent(route.path)}`, true);
    if (auth.status === 'in' && publicPage) navigate('/', true);
  }, [auth.status, publicPage, route.path]);
  useEffect(() => {
    document.title = `${titleOf(route)} · upkeep`;
  }, [route]);
  if (auth.status === 'loading') return <p class="boot">Loading upkeep…</p>;
  if (auth.status === 'down')
    return (
      <main class="auth">
        <h1>upkeep is not answering</h1>
        <p class="error" role="alert">
          {auth.error}
        </p>
      </main>
    );
  return (
    <SessionContext.Provider value={{ me, refresh }}>
      {publicPage || auth.status === 'anon' ? (
        route.path === '/setup' ? (
          <SetupPage token={route.query.get('token') ?? ''} />
        ) : (
          <LoginPage next={route.query.get('next') ?? '/'} />
        )
      ) : (
        <div class="layout">
          <a class="skip" href="#main">
            Skip to content
          </a>
          <Nav route={route} me={me} onLogout={refresh} />
          <main id="main" tabIndex={-1}>
            <Page route={route} />
          </main>
        </div>
      )}
    </SessionContext.Provider>
  );
}

function titleOf(route: Route): string {
  if (route.path.startsWith('/units/')) return segments(route.path, '/units/').join('/');
  if (route.path.startsWith('/apps/')) return segments(route.path, '/apps/').join('/');
  return (
    {
      '/': 'Overview',
      '/notifications': 'Notifications',
      '/settings': 'Settings',
      '/audit': 'Audit log',
      '/login': 'Sign in',
      '/setup': 'Set up',
    }[route.path] ?? 'upkeep'
  );
}

function Page({ route }: { route: Route }) {
  const { path } = route;
  if (path === '/') return <OverviewPage />;
  if (path.startsWith('/apps/')) {
    const [app] = segments(path, '/apps/');
    if (app) return <AppPage key={app} name={app} />;
  }
  if (path.startsWith('/units/')) {
    const [app, ...rest] = segments(path, '/units/');
    if (app && rest.length > 0) {
      const id = `${app}/${rest.join('/')}`;
      return <UnitPage key={id} id={id} />;
    }
  }
  if (path === '/notifications') return <NotificationsPage />;
  if (path === '/settings') return <SettingsPage />;
  if (path === '/audit') return <AuditPage />;
  return (
    <>
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. Go to the <a href={href('/')}>overview</a>.
      </p>
    </>
  );
}

/** Pages later capabilities bring; their place in the navigation is kept so nobody has to hunt for them. */
const COMING = ['Checklists', 'Errors', 'Database health', 'Audits', 'Incidents'];

function Nav({ route, me, onLogout }: { route: Route; me: Me | null; onLogout: () => void }) {
  const link = (to: string, label: string) => {
    const here =
      to === '/'
        ? route.path === '/' || route.path.startsWith('/apps/') || route.path.startsWith('/units/')
        : route.path.startsWith(to);
    return (
      <li>
        <a href={href(to)} aria-current={here ? 'page' : undefined}>
          {label}
        </a>
      </li>
    );
  };
  const logout = async () => {
    try {
      await api('/api/auth/logout', { method: 'POST', body: {} });
    } finally {
      onLogout();
      navigate('/login', true);
    }
  };
  return (
    <nav class="nav" aria-label="main">
      <a class="brand" href={href('/')}>
        upkeep
      </a>
      <ul>
        {link('/', 'Overview')}
        {link('/notifications', 'Notifications')}
        {link('/audit', 'Audit log')}
        {link('/settings', 'Settings')}
      </ul>
      <p class="nav-group" id="coming-label">
        Coming later
      </p>
      <ul aria-labelledby="coming-label" class="coming">
        {COMING.map((c) => (
          <li key={c} aria-disabled="true">
            <span>{c}</span> <small>coming</small>
          </li>
        ))}
      </ul>
      {me && (
        <div class="whoami">
          <span>
            {me.user.email} <small>({me.user.role})</small>
          </span>
          <button type="button" class="small" onClick={logout}>
            Log out
          </button>
        </div>
      )}
    </nav>
  );
}

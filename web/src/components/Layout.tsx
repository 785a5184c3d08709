/** The frame of every view: header with navigation and the person, banners, global shortcuts. */
import { Suspense, useMemo } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthContext.tsx';
import { useShortcuts } from '../hooks/useShortcuts.ts';
import { useLiveTasks } from '../live/useLiveTasks.ts';
import { NoRolePage } from '../views/NoRolePage.tsx';
import { ConnectivityBanner } from './ConnectivityBanner.tsx';
import { LiveIndicator } from './LiveIndicator.tsx';
import { SessionExpiredDialog } from './SessionExpiredDialog.tsx';

/** Focus the element with this id if the current view has one; else go where it lives. */
const focusOr = (id: string, fallback: () => void) => () => {
  const element = document.getElementById(id);
  if (element) element.focus();
  else fallback();
};

export function Layout() {
  const auth = useAuth();
  const navigate = useNavigate();
  const shortcuts = useMemo(
    () => ({
      n: focusOr('quick-add', () => navigate('/tasks/new')),
      '/': focusOr('search', () => navigate('/')),
      l: () => navigate('/'),
      b: () => navigate('/board'),
    }),
    [navigate],
  );
  useShortcuts(auth.can.hasRole ? shortcuts : {});
  const live = useLiveTasks();
  if (!auth.can.hasRole) return <NoRolePage />;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand" aria-label="Tasks, home">
          <img src="/app/favicon.svg" alt="" width="24" height="24" />
          <span>Tasks</span>
        </NavLink>
        <nav aria-label="Views">
          <NavLink to="/" end>
            List
          </NavLink>
          <NavLink to="/board">Board</NavLink>
        </nav>
        <div className="who">
          <LiveIndicator state={live} />
          <span className="who-name">{auth.name}</span>
          <span className="role-badge">{auth.roles.join(', ')}</span>
          <button type="button" className="button ghost" onClick={() => void auth.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <ConnectivityBanner />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
      <SessionExpiredDialog />
    </>
  );
}

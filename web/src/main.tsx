/**
 * Starts the app: reads where the identity provider is, finishes a sign-in
 * redirect if this is one, and otherwise sends a person who is not signed in
 * to the provider's login, to come back to the view they asked for.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { setSession } from './api/http.ts';
import { createApiSession } from './auth/apiSession.ts';
import { CALLBACK_PATH, createUserManager, loadAppConfig, SIGNED_OUT_PATH, signIn } from './auth/session.ts';
import { SignedOutPage } from './views/SignedOutPage.tsx';
import { StartupError } from './views/StartupError.tsx';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);

async function start(): Promise<void> {
  if (window.location.pathname === SIGNED_OUT_PATH) {
    root.render(<SignedOutPage />);
    return;
  }
  const config = await loadAppConfig();
  const manager = createUserManager(config);
  if (window.location.pathname === CALLBACK_PATH) {
    const user = await manager.signinRedirectCallback();
    const { returnTo } = (user.state ?? {}) as { returnTo?: string };
    // Only a path of this app: the state came back through the browser's address bar.
    window.history.replaceState(null, '', returnTo?.startsWith('/app/') ? returnTo : '/app/');
  }
  let user = await manager.getUser();
  if (user?.expired) user = await manager.signinSilent().catch(() => null);
  if (!user) {
    await signIn(manager);
    return;
  }
  const session = createApiSession(manager, user);
  setSession(session);
  root.render(
    <StrictMode>
      <App manager={manager} config={config} user={user} session={session} />
    </StrictMode>,
  );
}

start().catch((error: unknown) => root.render(<StartupError error={error} />));

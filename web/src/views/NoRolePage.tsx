import { useAuth } from '../auth/AuthContext.tsx';

/** Signed in, but with none of the roles admin, user or viewer: the API would refuse every call. */
export function NoRolePage() {
  const auth = useAuth();
  return (
    <main className="centered-page" aria-labelledby="no-role-title">
      <div className="card">
        <h1 id="no-role-title">No access to tasks yet</h1>
        <p>
          You are signed in as <strong>{auth.name}</strong>, but your account has no role in Tasks (admin,
          user or viewer). Ask an administrator to give you one, then sign in again.
        </p>
        <button type="button" className="button" onClick={() => void auth.signOut()}>
          Sign out
        </button>
      </div>
    </main>
  );
}

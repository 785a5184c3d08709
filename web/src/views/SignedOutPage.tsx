/** After sign-out: the session has ended at the provider; a way back in. */
export function SignedOutPage() {
  return (
    <main className="centered-page" aria-labelledby="signed-out-title">
      <div className="card">
        <h1 id="signed-out-title">You are signed out</h1>
        <p>Your session has ended. Tokens of this session are no longer accepted.</p>
        <a className="button primary" href="/app/">
          Sign in again
        </a>
      </div>
    </main>
  );
}

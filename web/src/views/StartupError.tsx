/** The app could not start (no configuration, the provider unreachable): what happened and a retry. */
export function StartupError({ error }: { error: unknown }) {
  return (
    <main className="centered-page" aria-labelledby="startup-error-title">
      <div className="card" role="alert">
        <h1 id="startup-error-title">Tasks could not start</h1>
        <p>{error instanceof Error ? error.message : String(error)}</p>
        <a className="button primary" href="/app/">
          Try again
        </a>
      </div>
    </main>
  );
}

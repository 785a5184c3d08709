-- Per-client consistency without Redis (docs/read-path.md): the newest WAL
-- position each client (token subject) has written or been shown. Its reads
-- may run on a replica that has replayed it; everybody else's reads are not
-- held back by it. One row per client that wrote recently: rows older than
-- the position lifetime are ignored by the reads and replaced by the next write.
CREATE TABLE cache_client_positions (
  client     text PRIMARY KEY,
  lsn        pg_lsn NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

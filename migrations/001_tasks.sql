-- Tasks, and the indexes that serve each listing query exactly: every
-- `ORDER BY <key> DESC, id DESC` (or ASC, by a backward scan) with an
-- optional equality filter reads an index in order and stops after LIMIT rows.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE tasks (
  id          uuid PRIMARY KEY,
  title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text CHECK (length(description) <= 10000),
  status      text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done')),
  owner_id    text NOT NULL,
  -- Millisecond precision: exactly what the API shows, so a cursor built
  -- from a task's `created_at` points at that task and no other.
  created_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  -- A rule the listing query relies on (created_after bounds updated_at too).
  CHECK (updated_at >= created_at)
);

CREATE INDEX tasks_created_at_idx ON tasks (created_at DESC, id DESC);
CREATE INDEX tasks_updated_at_idx ON tasks (updated_at DESC, id DESC);
CREATE INDEX tasks_status_created_at_idx ON tasks (status, created_at DESC, id DESC);
CREATE INDEX tasks_owner_created_at_idx ON tasks (owner_id, created_at DESC, id DESC);
CREATE INDEX tasks_owner_updated_at_idx ON tasks (owner_id, updated_at DESC, id DESC);
-- `q`: case-insensitive substring search over title and description.
CREATE INDEX tasks_search_trgm_idx ON tasks
  USING gin ((title || ' ' || coalesce(description, '')) gin_trgm_ops);

-- Idempotency-Key of POST /tasks: scoped to the caller, remembers the request
-- fingerprint (a different body is 409) and the response to replay.
CREATE TABLE idempotency_keys (
  caller_id    text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  task_id      uuid NOT NULL,
  response     jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller_id, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- Every write to a task, as an entry of its history (docs/events.md): who
-- (actor), on whose task (owner), by which request, when, and what changed
-- (each changed field before and after). Written in the same statement as
-- the change and its outbox event, so there is no change without its entry.
--
-- Tamper-evident: each entry stores the hash of the task's previous entry
-- and its own hash over that and its content; altering, removing or
-- reordering an entry breaks the chain (npm run history:verify finds it).
--
-- Growth: the key (task_id, version) receives inserts at its right edge for
-- new tasks (UUIDv7 ids are time-ordered) and next to a task's last entry
-- for changes, so an insert costs one descent of a B-tree however long the
-- table is; `occurred_at` is indexed with BRIN (a few pages for any size,
-- nothing to maintain per insert) for the retention pruning that bounds it.
CREATE TABLE task_history (
  task_id     uuid NOT NULL,
  -- The task's version after the change (a deletion is its last version + 1).
  version     integer NOT NULL CHECK (version >= 1),
  type        text NOT NULL CHECK (type IN ('task.created', 'task.updated', 'task.deleted')),
  event_id    uuid NOT NULL,
  actor_id    text NOT NULL,
  owner_id    text NOT NULL,
  request_id  text NOT NULL,
  occurred_at timestamptz NOT NULL,
  changes     jsonb NOT NULL,
  prev_hash   bytea,
  hash        bytea NOT NULL,
  PRIMARY KEY (task_id, version)
);
CREATE INDEX task_history_occurred_at ON task_history USING brin (occurred_at);

-- Where a pruned chain starts again: the last pruned entry's version and
-- hash, so the first kept entry still proves it follows it.
CREATE TABLE task_history_anchors (
  task_id uuid PRIMARY KEY,
  version integer NOT NULL,
  hash    bytea NOT NULL
);

-- Each field that differs, as {"before": ..., "after": ...}; a created task
-- has every field with before null, a deleted one every field with after
-- null. Bookkeeping columns are not changes. Generic over the task's
-- columns, so a new column is in the history without touching this.
CREATE FUNCTION task_changes(before jsonb, after jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_object_agg(key, jsonb_build_object(
           'before', coalesce(before -> key, 'null'), 'after', coalesce(after -> key, 'null'))), '{}')
  FROM (SELECT jsonb_object_keys(coalesce(before, '{}')) UNION SELECT jsonb_object_keys(coalesce(after, '{}'))) AS k(key)
  WHERE key NOT IN ('id', 'version', 'created_at', 'updated_at')
    AND (before IS NULL OR after IS NULL OR before -> key IS DISTINCT FROM after -> key)
$$;

-- An entry's hash: SHA-256 of the previous entry's hash followed by the
-- entry's content as canonical JSON text (jsonb prints its keys in one
-- fixed order), the instant as integer microseconds since the epoch.
CREATE FUNCTION task_history_hash(
  prev_hash bytea, task_id uuid, version integer, type text, event_id uuid, actor_id text,
  owner_id text, request_id text, occurred_at timestamptz, changes jsonb
) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT sha256(coalesce(prev_hash, ''::bytea) || convert_to(jsonb_build_array(
    task_id, version, type, event_id, actor_id, owner_id, request_id,
    (extract(epoch FROM occurred_at) * 1000000)::bigint, changes)::text, 'UTF8'))
$$;

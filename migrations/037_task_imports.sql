-- Import-Key of POST /tasks/import: scoped to the caller, remembers the body's
-- fingerprint (another body under the same key is 409) and the answer a
-- replay gets. Written in the import's own transaction: a rejected or failed
-- import leaves no key behind, so it can be sent again, corrected, under it.
CREATE TABLE task_imports (
  caller_id    text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  result       jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller_id, key)
);

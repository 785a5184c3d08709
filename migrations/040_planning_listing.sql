-- The listing by the planning fields (issue 15): an index for each new sort
-- and filter of GET /tasks, so that each reads an index in order and stops
-- after the page (test/integration/listing-plans.test.ts checks the plans).
--
-- Sorting by due date puts the tasks without one last in both directions.
-- The key is never null, so that a keyset cursor is one index range whatever
-- it points at: a missing due date is +infinity ascending and -infinity
-- descending (src/modules/tasks/tasks.sorts.ts writes exactly these
-- expressions). That holds only if no due date is itself infinite, and a
-- cursor names a task only if due dates have the millisecond precision the
-- API shows: both are table rules here, not just the API's.
ALTER TABLE tasks ADD CONSTRAINT tasks_due_at_check CHECK (
  isfinite(due_at)
  AND date_trunc('milliseconds', due_at AT TIME ZONE 'UTC') = due_at AT TIME ZONE 'UTC'
);

-- due_at, and the due-date bounds (due_after, due_before, overdue) under any sort.
CREATE INDEX tasks_due_at_idx ON tasks (coalesce(due_at, 'infinity'::timestamptz), id);
-- -due_at.
CREATE INDEX tasks_due_at_desc_idx ON tasks (coalesce(due_at, '-infinity'::timestamptz) DESC, id DESC);
-- The same for a user's listing (always of their own tasks) and an owner_id filter.
CREATE INDEX tasks_owner_due_at_idx ON tasks (owner_id, coalesce(due_at, 'infinity'::timestamptz), id);
CREATE INDEX tasks_owner_due_at_desc_idx
  ON tasks (owner_id, coalesce(due_at, '-infinity'::timestamptz) DESC, id DESC);

-- priority and -priority (read backward), and the priority filter with them.
CREATE INDEX tasks_priority_idx ON tasks (priority, id);
CREATE INDEX tasks_owner_priority_idx ON tasks (owner_id, priority, id);

-- label: containment of the lower-cased set (`task_label_keys(labels) @> …`). No pending
-- list (fastupdate): a label filter never reads unsorted entries, and a task's few labels
-- cost little to insert directly.
CREATE INDEX tasks_label_keys_idx ON tasks USING gin (task_label_keys(labels)) WITH (fastupdate = off);

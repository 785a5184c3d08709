-- A label filter in time order (GET /tasks?label=…, sorted by created_at, the
-- default) read as an index walk of that one label, not of every task. The
-- label index on tasks (migration 040) is a GIN index: it finds a label's
-- tasks but not in order, so a listing either walked the created_at index
-- checking every task (a label on one task in a thousand: a thousand tasks
-- read per task shown) or read every task of the label and sorted them (a
-- common pair at a million tasks: a second). Here each label of a task is a
-- row, kept by statement triggers on tasks like the counts of migration 055,
-- in the order of the listing: a page reads its own rows and stops.
--
-- The columns are named apart from tasks' (task_created_at, not created_at)
-- so that the listing's own conditions on tasks stay unambiguous when joined.
CREATE TABLE task_labels (
  label_key       text        NOT NULL,
  task_created_at timestamptz NOT NULL,
  task_id         uuid        NOT NULL,
  task_owner_id   text        NOT NULL
);

CREATE FUNCTION tasks_index_labels() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each branch names only the transition tables its event has.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO task_labels (label_key, task_created_at, task_id, task_owner_id)
    SELECT k, n.created_at, n.id, n.owner_id FROM new_rows n, unnest(task_label_keys(n.labels)) AS k;
  ELSIF TG_OP = 'DELETE' THEN
    DELETE FROM task_labels tl USING old_rows o
    WHERE tl.label_key = ANY (task_label_keys(o.labels))
      AND tl.task_created_at = o.created_at AND tl.task_id = o.id;
  ELSE
    -- Only the tasks whose labels or owner changed: a title or status edit writes nothing here.
    DELETE FROM task_labels tl USING old_rows o, new_rows n
    WHERE n.id = o.id AND (n.labels IS DISTINCT FROM o.labels OR n.owner_id IS DISTINCT FROM o.owner_id)
      AND tl.label_key = ANY (task_label_keys(o.labels))
      AND tl.task_created_at = o.created_at AND tl.task_id = o.id;
    INSERT INTO task_labels (label_key, task_created_at, task_id, task_owner_id)
    SELECT k, n.created_at, n.id, n.owner_id
    FROM old_rows o JOIN new_rows n ON n.id = o.id, unnest(task_label_keys(n.labels)) AS k
    WHERE n.labels IS DISTINCT FROM o.labels OR n.owner_id IS DISTINCT FROM o.owner_id;
  END IF;
  RETURN NULL;
END
$$;

-- No task may change while the rows are taken, or the triggers below would miss it.
LOCK TABLE tasks IN SHARE MODE;

INSERT INTO task_labels (label_key, task_created_at, task_id, task_owner_id)
SELECT k, t.created_at, t.id, t.owner_id
FROM tasks t, unnest(task_label_keys(t.labels)) AS k;

-- Indexed once filled: one sort per index rather than a million inserts into each.
ALTER TABLE task_labels ADD PRIMARY KEY (label_key, task_created_at, task_id);
-- A user's own tasks with a label (a user lists only theirs).
CREATE INDEX task_labels_owner_idx ON task_labels (task_owner_id, label_key, task_created_at, task_id);

CREATE TRIGGER tasks_index_labels_insert AFTER INSERT ON tasks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_index_labels();
CREATE TRIGGER tasks_index_labels_update AFTER UPDATE ON tasks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_index_labels();
CREATE TRIGGER tasks_index_labels_delete AFTER DELETE ON tasks
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_index_labels();

-- TRUNCATE fires no DELETE trigger: emptied tasks empty their label rows too (the bench reseeds so).
CREATE OR REPLACE FUNCTION tasks_clear_label_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE label_counts, task_labels;
  RETURN NULL;
END
$$;

-- The planner weighs the walk by these rows' statistics: taken now, not at autovacuum's next pass.
ANALYZE task_labels;

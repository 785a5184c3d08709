-- GET /labels (docs/api.md "Labels"): the labels a caller can see, with how
-- many tasks carry each. Counting them from the tasks would read every task
-- an admin can see (a million rows for a suggestion list), so the counts are
-- kept per owner and label, by statement triggers on tasks: one aggregate per
-- statement (a seed batch, a bulk change), not one upsert per row.
--
-- A label is counted by its lower-cased key (labels are unique in any case on
-- a task, migration 010); `label` keeps the first spelling counted. Rows are
-- kept at zero rather than deleted (a delete would race a concurrent insert of
-- the same key): readers skip them.
CREATE TABLE label_counts (
  owner_id   text NOT NULL,
  label_key  text NOT NULL,
  label      text NOT NULL,
  task_count integer NOT NULL,
  PRIMARY KEY (owner_id, label_key)
);

-- Everyone's count of one label (GET /labels of an admin, a label filter's check).
CREATE INDEX label_counts_key_idx ON label_counts (label_key);

CREATE TYPE label_delta AS (owner_id text, label text, delta integer);

-- Net change per owner and key, applied in key order, so that two statements
-- touching the same counts lock them in the same order (no deadlock).
CREATE FUNCTION apply_label_deltas(deltas label_delta[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO label_counts AS c (owner_id, label_key, label, task_count)
  SELECT owner_id, lower(label), coalesce(min(label) FILTER (WHERE delta > 0), min(label)), sum(delta)
  FROM unnest(deltas)
  GROUP BY owner_id, lower(label)
  HAVING sum(delta) <> 0
  ORDER BY owner_id, lower(label)
  ON CONFLICT (owner_id, label_key) DO UPDATE SET task_count = c.task_count + excluded.task_count
$$;

CREATE FUNCTION tasks_count_labels() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM apply_label_deltas(ARRAY(
      SELECT ROW(n.owner_id, l, 1)::label_delta FROM new_rows n, unnest(n.labels) AS l));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM apply_label_deltas(ARRAY(
      SELECT ROW(o.owner_id, l, -1)::label_delta FROM old_rows o, unnest(o.labels) AS l));
  ELSE
    PERFORM apply_label_deltas(ARRAY(
      SELECT ROW(n.owner_id, l, 1)::label_delta FROM new_rows n, unnest(n.labels) AS l
      UNION ALL
      SELECT ROW(o.owner_id, l, -1)::label_delta FROM old_rows o, unnest(o.labels) AS l));
  END IF;
  RETURN NULL;
END
$$;

-- No task may change while the counts are taken, or the triggers below would miss it.
LOCK TABLE tasks IN SHARE MODE;

INSERT INTO label_counts (owner_id, label_key, label, task_count)
SELECT owner_id, lower(l), min(l), count(*)
FROM tasks, unnest(labels) AS l
GROUP BY owner_id, lower(l);

CREATE TRIGGER tasks_count_labels_insert AFTER INSERT ON tasks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_count_labels();
CREATE TRIGGER tasks_count_labels_update AFTER UPDATE ON tasks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_count_labels();
CREATE TRIGGER tasks_count_labels_delete AFTER DELETE ON tasks
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_count_labels();

-- TRUNCATE fires no row or DELETE trigger: emptied tasks empty the counts too (the bench reseeds so).
CREATE FUNCTION tasks_clear_label_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE label_counts;
  RETURN NULL;
END
$$;
CREATE TRIGGER tasks_clear_label_counts AFTER TRUNCATE ON tasks
  FOR EACH STATEMENT EXECUTE FUNCTION tasks_clear_label_counts();

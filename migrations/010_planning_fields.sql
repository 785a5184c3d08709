-- The fields a team plans with (issue 15): a due date, a priority, labels, and
-- when the task was completed.
--
-- `priority` is stored as its rank (0 none … 4 urgent), so that sorting by it
-- is sorting a small integer an index keeps in order; the API shows the word.
-- `labels` keep the spelling their author gave; they are unique and matched
-- case-insensitively, through `task_label_keys` (the lower-cased set), which
-- the label index is built on.
-- `completed_at` is the server's: set when a task becomes `done`, cleared
-- when it leaves `done`. A trigger keeps it, so that every way of writing a
-- status (a change, a bulk change, an import, a seed) follows one rule.
CREATE FUNCTION task_label_keys(labels text[]) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN (SELECT coalesce(array_agg(lower(label) ORDER BY lower(label)), '{}') FROM unnest(labels) AS label);

ALTER TABLE tasks
  ADD COLUMN due_at       timestamptz,
  ADD COLUMN priority     smallint NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 4),
  ADD COLUMN labels       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(labels) <= 20),
  ADD COLUMN completed_at timestamptz;

-- Tasks already done were completed at their last change, as far as anyone knows.
UPDATE tasks SET completed_at = updated_at WHERE status = 'done';

-- A task inserted done keeps a completed_at it comes with (an import, a seed), else it is now;
-- one that becomes done is completed now; one that stays done keeps its time.
CREATE FUNCTION tasks_track_completion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'done' THEN
    NEW.completed_at := NULL;
  ELSIF TG_OP = 'INSERT' THEN
    NEW.completed_at := coalesce(NEW.completed_at, date_trunc('milliseconds', now()));
  ELSIF OLD.status <> 'done' THEN
    NEW.completed_at := date_trunc('milliseconds', now());
  ELSE
    NEW.completed_at := OLD.completed_at;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER tasks_track_completion BEFORE INSERT OR UPDATE OF status, completed_at ON tasks
  FOR EACH ROW EXECUTE FUNCTION tasks_track_completion();

ALTER TABLE tasks ADD CONSTRAINT tasks_completed_at_check
  CHECK ((status = 'done') = (completed_at IS NOT NULL));

-- The application's statements are short index reads and writes: JIT
-- compilation (tens of milliseconds) never pays for itself on them, yet the
-- planner asks for it whenever a plan's estimated cost is high, as a batched
-- listing's generic plan is (it assumes a hundred listings per batch):
-- measured, 43 ms to run a 0.1 ms batch. A default of the database, like 004.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
END
$$;

-- No statement may hold a connection for long. Reads run outside explicit
-- transactions (one round trip each) and PgBouncer's transaction mode allows
-- no session SET, so the limit is a default of the database, which every new
-- server connection picks up. Operators may override it per role.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET statement_timeout = %L', current_database(), '5s');
END
$$;

-- The listing cache's generation when no Redis is configured: every write
-- opens a new generation, and the generation is part of every cache key, so
-- all cached pages go stale at once (O(1)). Kept in PostgreSQL so that every
-- API worker process sees the same generation; `write_lsn` is the WAL
-- position of the newest write, which a replica must have replayed before
-- it may serve a read of that generation.
CREATE TABLE cache_generation (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  generation bigint NOT NULL,
  write_lsn  pg_lsn NOT NULL
);
INSERT INTO cache_generation (generation, write_lsn) VALUES (1, '0/0');

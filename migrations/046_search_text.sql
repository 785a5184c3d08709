-- `q` (docs/api.md "Listing", docs/performance.md "Search"): case-insensitive
-- text in title or description. The text searched is kept, lower-cased by the
-- database, in a column of its own: a search that walks the listing's index
-- in order (a common word fills its page after a few hundred rows) compares
-- each row with LIKE, a tenth of the time ILIKE took lower-casing every row
-- it read; the trigram index is built on the same column and serves rare
-- words and texts that match nothing.
--
-- Adding a stored column rewrites the table under an exclusive lock (about a
-- minute per million tasks): plan the deploy for it.
ALTER TABLE tasks
  ADD COLUMN search_text text GENERATED ALWAYS AS (lower(title || ' ' || coalesce(description, ''))) STORED;

CREATE INDEX tasks_search_text_idx ON tasks USING gin (search_text gin_trgm_ops);
DROP INDEX tasks_search_trgm_idx;

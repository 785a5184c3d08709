-- Idempotency-Key of POST /tasks/bulk, kept as the import's (migration 037):
-- scoped to the caller, with the request's fingerprint (another body under the
-- same key is 409) and the answer a replay gets. Claimed in the bulk change's
-- own transaction: a refused or failed change leaves no key behind.
CREATE TABLE task_bulk_changes (LIKE task_imports INCLUDING ALL);

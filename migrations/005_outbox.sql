-- The transactional outbox: an event is recorded in the same transaction as
-- the change it reports (for a created task, in the same statement), so a
-- broker outage delays it but never loses it. A relay publishes pending rows
-- in `id` order and marks them published.
CREATE TABLE outbox (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id     uuid NOT NULL UNIQUE,
  type         text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
-- What the relay scans: only the pending rows, oldest first.
CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL;

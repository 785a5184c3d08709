-- The embedded start's queue (no AMQP_URL): the outbox relay moves events
-- here instead of to RabbitMQ, and an in-process consumer applies the same
-- rules: 3 attempts with growing delays, then `dead_letters` for review.
CREATE TABLE local_queue (
  event_id     uuid PRIMARY KEY,
  payload      jsonb NOT NULL,
  attempt      int NOT NULL DEFAULT 1,
  available_at timestamptz NOT NULL DEFAULT now(),
  last_error   text
);
CREATE INDEX local_queue_available ON local_queue (available_at);

CREATE TABLE dead_letters (
  event_id   uuid PRIMARY KEY,
  payload    jsonb NOT NULL,
  attempts   int NOT NULL,
  last_error text NOT NULL,
  failed_at  timestamptz NOT NULL DEFAULT now()
);

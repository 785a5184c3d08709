-- Events a worker has fully handled (the notification sent), by event id: a
-- redelivered or replayed event finds its id here and sends nothing again.
CREATE TABLE processed_events (
  event_id     uuid PRIMARY KEY,
  processed_at timestamptz NOT NULL DEFAULT now()
);

-- Claims per consumer: each consumer of the background wing handles an event
-- once (a retry after one consumer failed skips those that succeeded). The
-- claims made so far were the e-mail consumer's.
ALTER TABLE processed_events ADD COLUMN consumer text NOT NULL DEFAULT 'task-mail';
ALTER TABLE processed_events ALTER COLUMN consumer DROP DEFAULT;
ALTER TABLE processed_events DROP CONSTRAINT processed_events_pkey;
ALTER TABLE processed_events ADD PRIMARY KEY (event_id, consumer);

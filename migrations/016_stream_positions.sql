-- The live stream's order (docs/events.md): a position per outbox event,
-- assigned after the event committed, by one sequencer at a time, in id
-- order. Identity values are taken at insert and become visible at commit,
-- so ids can appear out of order; positions cannot: a stream resumed after
-- position N (Last-Event-ID) reads exactly the events it has not seen.
ALTER TABLE outbox ADD COLUMN stream_position bigint;
CREATE SEQUENCE outbox_stream_positions;
-- Events recorded before the stream existed are not streamed.
UPDATE outbox SET stream_position = nextval('outbox_stream_positions');
CREATE UNIQUE INDEX outbox_stream_position ON outbox (stream_position);
-- What the sequencer scans: the events still without a position.
CREATE INDEX outbox_unsequenced ON outbox (id) WHERE stream_position IS NULL;
-- What retention pruning scans: published, streamed events by age.
CREATE INDEX outbox_created_at ON outbox USING brin (created_at);

-- Scheduled background jobs (src/background/jobs/): one lease per job, so
-- that of N workers exactly one runs a job's period at a time, and a record
-- of the last period each job completed, so that it runs once per period.
-- A worker that dies holding the lease loses it when `lease_expires_at`
-- passes (it renews while it works); another worker then takes the period
-- over from where the dead one left it (the job's own records say where).
CREATE TABLE job_leases (
  job              text PRIMARY KEY,
  holder           text,
  lease_expires_at timestamptz,
  -- The last period (e.g. the digest's day, '2026-12-03') the job finished.
  last_period      text
);

-- The daily digest's deliveries: one row per person and day, inserted in
-- the transaction that sends the e-mail, so a digest is sent once however
-- many workers run and whenever one is killed (docs/events.md).
CREATE TABLE digest_deliveries (
  day      date NOT NULL,
  user_sub text NOT NULL,
  sent_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (day, user_sub)
);

-- The digest lists a person's open tasks: an index per owner that skips the done ones.
CREATE INDEX tasks_owner_open_idx ON tasks (owner_id, due_at NULLS LAST, priority DESC, id)
  WHERE status <> 'done';

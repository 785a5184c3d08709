-- Sessions and subjects the identity provider logged out (OIDC Back-Channel
-- Logout), when no Redis is configured: every API process polls the rows
-- added since it last looked (by id, plus a few seconds of overlap for
-- inserts that commit out of id order) and refuses their access tokens.
-- A row is needed only until the last access token it can match has
-- expired (`expires_at`); expired rows are deleted in small batches.
-- kind 'sid': tokens whose `sid` is `value`; kind 'sub': tokens whose `sub`
-- is `value` and that were issued at or before `issued_before`.
CREATE TABLE session_revocations (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('sid', 'sub')),
  value         text NOT NULL,
  issued_before timestamptz,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_revocations_created ON session_revocations (created_at);
CREATE INDEX session_revocations_expires ON session_revocations (expires_at);

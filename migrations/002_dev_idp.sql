-- Storage of the development identity provider (oidc-provider's adapter):
-- sessions, grants, authorization codes, refresh tokens, interactions. In
-- the database rather than in memory because the API runs as several worker
-- processes, and a refresh token issued by one must be redeemable at another.
-- Access tokens are self-contained JWTs and are not stored.
CREATE TABLE oidc_payloads (
  -- oidc-provider's model name (`Session`, `RefreshToken`, ...): ids are unique per model only.
  model       text NOT NULL,
  id          text NOT NULL,
  payload     jsonb NOT NULL,
  -- Copied out of the payload for the adapter's lookups.
  grant_id    text,
  user_code   text,
  uid         text,
  -- NULL: never expires (e.g. clients).
  expires_at  timestamptz,
  -- Set once; a consumed refresh token presented again revokes its whole grant.
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);

-- revokeByGrantId: logout and refresh-token reuse delete every token of a grant.
CREATE INDEX oidc_payloads_grant_id_idx ON oidc_payloads (model, grant_id) WHERE grant_id IS NOT NULL;
-- findByUid: sessions are found by the uid their cookie carries.
CREATE INDEX oidc_payloads_uid_idx ON oidc_payloads (model, uid) WHERE uid IS NOT NULL;
-- findByUserCode: the device flow (not enabled today; the adapter contract includes it).
CREATE INDEX oidc_payloads_user_code_idx ON oidc_payloads (model, user_code) WHERE user_code IS NOT NULL;
-- The occasional sweep of expired rows.
CREATE INDEX oidc_payloads_expires_at_idx ON oidc_payloads (expires_at) WHERE expires_at IS NOT NULL;

-- The directory of the people the API has seen: who a `sub` is (a name to
-- show, an address to write to), whoever made the request that needs it
-- (an admin creating a task for bob mails bob). Filled from the claims of
-- verified access tokens, written only when they differ from what the
-- process last recorded; the identity provider stays the source of truth.
CREATE TABLE users (
  sub        text PRIMARY KEY,
  name       text,
  email      text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

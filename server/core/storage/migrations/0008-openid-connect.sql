-- Identity (issue 13): citizen sign-in through OpenID Connect, e-mail confirmation of bookings, staff
-- single sign-on. Times are epoch milliseconds. Secrets (session ids, flow ids) are stored only as SHA-256.

-- The verified person behind a booking on an `oidc` lot: SHA-256 of issuer and `sub`, hex. Nothing
-- else from the identity provider is kept; per-person limits count this key.
ALTER TABLE bookings ADD COLUMN subject_key TEXT;
CREATE INDEX bookings_subject ON bookings (subject_key, start_at) WHERE subject_key IS NOT NULL;

-- On an `email` lot a booking holds its space only until then, unless its link was opened and
-- confirmed (then NULL). An expired one is cancelled by the next booking pass or the loop.
ALTER TABLE bookings ADD COLUMN pending_until INTEGER;
CREATE INDEX bookings_pending ON bookings (pending_until) WHERE pending_until IS NOT NULL;

-- One mail to an address that never confirmed one: the SHA-256 of the address, when the last
-- confirmation link went to it, and when a link sent to it was confirmed.
CREATE TABLE email_verifications (
  address_hash  BLOB PRIMARY KEY,
  sent_at       INTEGER NOT NULL,
  verified_at   INTEGER
) STRICT, WITHOUT ROWID;

-- A sign-in in flight: state, nonce and PKCE verifier stay on the server; the browser holds only
-- the flow id (a cookie). Single use, minutes long.
CREATE TABLE oidc_flows (
  flow_hash      BLOB PRIMARY KEY,
  purpose        TEXT NOT NULL CHECK (purpose IN ('citizen', 'staff')),
  state          TEXT NOT NULL,
  nonce          TEXT NOT NULL,
  code_verifier  TEXT NOT NULL,
  return_to      TEXT NOT NULL,
  created_at     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Signed-in citizens: the subject key, the e-mail the provider vouched for (only when the `email`
-- scope is configured), and a CSRF token for their forms.
CREATE TABLE citizen_sessions (
  session_hash  BLOB PRIMARY KEY,
  subject_key   TEXT NOT NULL,
  email         TEXT,
  csrf_token    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Staff accounts that sign in through the office's single sign-on: issuer and `sub` → account.
CREATE TABLE staff_sso_links (
  issuer      TEXT NOT NULL,
  subject     TEXT NOT NULL,
  user_id     INTEGER NOT NULL REFERENCES staff_users (user_id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (issuer, subject)
) STRICT, WITHOUT ROWID;

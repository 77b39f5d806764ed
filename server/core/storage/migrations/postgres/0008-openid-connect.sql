-- As ../0008-openid-connect.sql.

ALTER TABLE bookings ADD COLUMN subject_key text;
CREATE INDEX bookings_subject ON bookings (subject_key, start_at) WHERE subject_key IS NOT NULL;

ALTER TABLE bookings ADD COLUMN pending_until bigint;
CREATE INDEX bookings_pending ON bookings (pending_until) WHERE pending_until IS NOT NULL;

CREATE TABLE email_verifications (
  address_hash  bytea PRIMARY KEY,
  sent_at       bigint NOT NULL,
  verified_at   bigint
);

CREATE TABLE oidc_flows (
  flow_hash      bytea PRIMARY KEY,
  purpose        text NOT NULL CHECK (purpose IN ('citizen', 'staff')),
  state          text NOT NULL,
  nonce          text NOT NULL,
  code_verifier  text NOT NULL,
  return_to      text NOT NULL,
  created_at     bigint NOT NULL
);

CREATE TABLE citizen_sessions (
  session_hash  bytea PRIMARY KEY,
  subject_key   text NOT NULL,
  email         text,
  csrf_token    text NOT NULL,
  created_at    bigint NOT NULL,
  last_seen_at  bigint NOT NULL
);

CREATE TABLE staff_sso_links (
  issuer      text NOT NULL,
  subject     text NOT NULL,
  user_id     bigint NOT NULL REFERENCES staff_users (user_id) ON DELETE CASCADE,
  created_at  bigint NOT NULL,
  PRIMARY KEY (issuer, subject)
);

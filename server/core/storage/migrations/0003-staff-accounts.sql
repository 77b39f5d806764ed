-- Staff accounts, sessions and the audit log (issue 7). Times are INTEGER milliseconds since the epoch.
-- Passwords are stored only as self-describing scrypt hashes (`scrypt$ln$r$p$salt$hash`, base64url), so the
-- cost can grow later without a migration; session ids only as their SHA-256, so a copy of this file
-- (a backup, say) cannot be replayed as a login.

CREATE TABLE staff_users (
  user_id             INTEGER PRIMARY KEY,
  username            TEXT NOT NULL UNIQUE,
  role                TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  password_hash       TEXT NOT NULL,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL,
  last_login_at       INTEGER,
  disabled_at         INTEGER
) STRICT;

CREATE TABLE staff_sessions (
  session_hash  BLOB PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES staff_users (user_id) ON DELETE CASCADE,
  csrf_token    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  ip            TEXT
) STRICT, WITHOUT ROWID;

CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id);

-- Append-only: who (as they were at the time: usernames and roles change), what, to which object.
CREATE TABLE staff_audit (
  audit_id   INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  user_id    INTEGER,
  username   TEXT,
  role       TEXT,
  via        TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT NOT NULL,
  detail     TEXT,
  ip         TEXT
) STRICT;

CREATE INDEX staff_audit_by_time ON staff_audit (at);

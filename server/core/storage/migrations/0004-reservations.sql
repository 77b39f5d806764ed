-- Reservations (issue 6). Times are epoch milliseconds (UTC); the rules' wall times are resolved
-- in Europe/Prague before they reach the database.

-- One row per booking of one slot. Personal data (name, email, plate and their match keys) is
-- set to NULL by the privacy purge; the row itself stays for anonymous counts.
CREATE TABLE bookings (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE,
  -- SHA-256 of the secret manage token; the token itself is never stored.
  token_hash      BLOB NOT NULL UNIQUE,
  lot_id          TEXT NOT NULL,
  camera_id       TEXT NOT NULL,
  slot_id         TEXT NOT NULL,
  start_at        INTEGER NOT NULL,
  end_at          INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('confirmed', 'checked_in', 'no_show', 'cancelled')),
  name            TEXT,
  email           TEXT,
  plate           TEXT,
  email_key       TEXT,
  plate_key       TEXT,
  lang            TEXT NOT NULL DEFAULT 'cs',
  created_by      TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  checked_in_at   INTEGER,
  released_at     INTEGER,
  cancelled_at    INTEGER,
  purged_at       INTEGER,
  CHECK (end_at > start_at)
);
CREATE INDEX bookings_slot_time ON bookings (camera_id, slot_id, start_at);
CREATE INDEX bookings_lot_time ON bookings (lot_id, start_at);
CREATE INDEX bookings_active ON bookings (status, start_at);
CREATE INDEX bookings_email ON bookings (email_key, start_at) WHERE email_key IS NOT NULL;
CREATE INDEX bookings_plate ON bookings (plate_key, start_at) WHERE plate_key IS NOT NULL;

-- Staff blocks: a slot (or the whole lot when slot_id is NULL) taken out of booking for a time.
CREATE TABLE reservation_blocks (
  id          INTEGER PRIMARY KEY,
  lot_id      TEXT NOT NULL,
  camera_id   TEXT,
  slot_id     TEXT,
  start_at    INTEGER NOT NULL,
  end_at      INTEGER NOT NULL,
  reason      TEXT,
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  CHECK (end_at > start_at),
  CHECK ((camera_id IS NULL) = (slot_id IS NULL))
);
CREATE INDEX reservation_blocks_lot ON reservation_blocks (lot_id, end_at);

-- What the camera loop saw: check-ins, no-shows and alerts for staff. dedupe_key makes each
-- observation one row however often the loop looks at it.
CREATE TABLE reservation_events (
  id              INTEGER PRIMARY KEY,
  at              INTEGER NOT NULL,
  kind            TEXT NOT NULL,
  lot_id          TEXT NOT NULL,
  camera_id       TEXT NOT NULL,
  slot_id         TEXT NOT NULL,
  booking_id      INTEGER REFERENCES bookings (id) ON DELETE SET NULL,
  detail          TEXT,
  dedupe_key      TEXT NOT NULL UNIQUE,
  resolved_at     INTEGER
);
CREATE INDEX reservation_events_at ON reservation_events (at);

-- E-mail outbox: one row per booking and kind, so a restart or a retry never sends twice.
CREATE TABLE reservation_mail (
  id          INTEGER PRIMARY KEY,
  booking_id  INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('confirmation', 'reminder', 'cancellation')),
  send_at     INTEGER NOT NULL,
  sent_at     INTEGER,
  attempts    INTEGER NOT NULL DEFAULT 0,
  -- A sender owns the row until then (several server instances may share the database).
  claimed_until INTEGER,
  -- The manage token, kept only until the confirmation is sent (the e-mail carries the link),
  -- then set to NULL; reminders carry the code only.
  link_token  TEXT,
  last_error  TEXT,
  UNIQUE (booking_id, kind)
);
CREATE INDEX reservation_mail_due ON reservation_mail (sent_at, send_at);

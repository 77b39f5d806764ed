-- Volno server schema, version 1. Times are INTEGER milliseconds since the epoch (UTC); the API turns
-- them into RFC 3339. Ids are the protocol's ids (ASCII, no separators), so TEXT keys are safe.

CREATE TABLE lots (
  lot_id      TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  name_en     TEXT,
  address     TEXT,
  latitude    REAL,
  longitude   REAL,
  sort_order  INTEGER NOT NULL DEFAULT 0,
  configured  INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE cameras (
  camera_id       TEXT PRIMARY KEY,
  lot_id          TEXT REFERENCES lots (lot_id) ON DELETE SET NULL,
  name            TEXT,
  configured      INTEGER NOT NULL,
  first_seen_at   INTEGER,
  agent_id        TEXT,
  -- stream health, from camera summaries and heartbeats
  stream_status   TEXT,
  stream_detail   TEXT,
  last_frame_at   INTEGER,
  fps             REAL,
  health_at       INTEGER,
  calibration_version INTEGER,
  summary_free     INTEGER,
  summary_occupied INTEGER,
  summary_unknown  INTEGER,
  summary_total    INTEGER,
  summary_at       INTEGER,
  stats_json       TEXT,
  stats_at         INTEGER,
  calibration_ack_version INTEGER,
  calibration_ack_result  TEXT,
  calibration_ack_reason  TEXT,
  calibration_ack_at      INTEGER
) STRICT;

-- Configured slots and slots first seen over MQTT (configured = 0, lot_id NULL: "unassigned").
CREATE TABLE slots (
  camera_id     TEXT NOT NULL,
  slot_id       TEXT NOT NULL,
  lot_id        TEXT REFERENCES lots (lot_id) ON DELETE SET NULL,
  label         TEXT NOT NULL,
  type          TEXT NOT NULL CHECK (type IN ('standard', 'disabled', 'ev', 'visitor', 'staff')),
  reservable    INTEGER NOT NULL DEFAULT 0,
  map_row       INTEGER,
  map_col       INTEGER,
  sort_order    INTEGER NOT NULL DEFAULT 0,
  configured    INTEGER NOT NULL,
  first_seen_at INTEGER,
  PRIMARY KEY (camera_id, slot_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX slots_lot ON slots (lot_id);

-- Current state: one row per slot, UPSERTed. source = 'server' when the server itself turned the
-- slot unknown (agent offline or silent); observed_at then keeps the agent's last observation.
CREATE TABLE slot_state (
  camera_id   TEXT NOT NULL,
  slot_id     TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('free', 'occupied', 'unknown')),
  reason      TEXT,
  confidence  REAL NOT NULL,
  since       INTEGER NOT NULL,
  observed_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  agent_id    TEXT,
  session_id  TEXT,
  seq         INTEGER,
  model_id    TEXT,
  calibration_version INTEGER,
  source      TEXT NOT NULL CHECK (source IN ('agent', 'server')),
  PRIMARY KEY (camera_id, slot_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX slot_state_agent ON slot_state (agent_id);

-- Append-only: one row per change of state (never for a mere refresh).
CREATE TABLE transitions (
  id          INTEGER PRIMARY KEY,
  camera_id   TEXT NOT NULL,
  slot_id     TEXT NOT NULL,
  lot_id      TEXT,
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  reason      TEXT,
  at          INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  source      TEXT NOT NULL
) STRICT;
CREATE INDEX transitions_at ON transitions (at);
CREATE INDEX transitions_slot ON transitions (camera_id, slot_id, at);

CREATE TABLE agents (
  agent_id           TEXT PRIMARY KEY,
  session_id         TEXT,
  session_started_at INTEGER,
  connection_seq     INTEGER,
  status             TEXT NOT NULL CHECK (status IN ('unknown', 'online', 'stopped', 'offline', 'silent')),
  status_at          INTEGER NOT NULL,
  last_seen_at       INTEGER,
  last_seq           INTEGER,
  heartbeat_interval_s REAL,
  uptime_s           REAL,
  version            TEXT,
  mqtt_queue_depth   INTEGER,
  restarts           INTEGER NOT NULL DEFAULT 0,
  seq_gaps           INTEGER NOT NULL DEFAULT 0,
  lost_messages      INTEGER NOT NULL DEFAULT 0,
  first_seen_at      INTEGER NOT NULL
) STRICT;

-- Sampled lot counts; occupancy ratio = occupied_sum / (free_sum + occupied_sum).
CREATE TABLE lot_hourly (
  lot_id       TEXT NOT NULL,
  bucket_start INTEGER NOT NULL,
  samples      INTEGER NOT NULL,
  free_sum     INTEGER NOT NULL,
  occupied_sum INTEGER NOT NULL,
  unknown_sum  INTEGER NOT NULL,
  reserved_sum INTEGER NOT NULL,
  free_min     INTEGER NOT NULL,
  free_max     INTEGER NOT NULL,
  PRIMARY KEY (lot_id, bucket_start)
) STRICT, WITHOUT ROWID;

-- Daily rows are keyed by the local calendar day (config timezone), 'YYYY-MM-DD'.
CREATE TABLE lot_daily (
  lot_id       TEXT NOT NULL,
  day          TEXT NOT NULL,
  samples      INTEGER NOT NULL,
  free_sum     INTEGER NOT NULL,
  occupied_sum INTEGER NOT NULL,
  unknown_sum  INTEGER NOT NULL,
  reserved_sum INTEGER NOT NULL,
  free_min     INTEGER NOT NULL,
  free_max     INTEGER NOT NULL,
  PRIMARY KEY (lot_id, day)
) STRICT, WITHOUT ROWID;

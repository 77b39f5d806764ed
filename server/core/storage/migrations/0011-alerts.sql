-- Staff alerts (issue 15): one row per alert from the moment it is raised until it is resolved and
-- purged. `alert_key` names the condition (kind and subject); at most one alert per key is open.
-- The *_mailed_at columns record which digest told staff about the raise and the resolution, so a
-- restart neither repeats a digest line nor loses one.
CREATE TABLE alerts (
  alert_id           INTEGER PRIMARY KEY,
  alert_key          TEXT NOT NULL,
  kind               TEXT NOT NULL,
  subject            TEXT NOT NULL,
  detail             TEXT,
  raised_at          INTEGER NOT NULL,
  resolved_at        INTEGER,
  raised_mailed_at   INTEGER,
  resolved_mailed_at INTEGER
);
CREATE UNIQUE INDEX alerts_open_key ON alerts (alert_key) WHERE resolved_at IS NULL;
CREATE INDEX alerts_resolved ON alerts (resolved_at);

-- When each digest went out: the next one waits `digest_interval_min` after the last.
CREATE TABLE alert_digests (
  digest_id  INTEGER PRIMARY KEY,
  sent_at    INTEGER NOT NULL,
  recipients INTEGER NOT NULL,
  raised     INTEGER NOT NULL,
  resolved   INTEGER NOT NULL
);

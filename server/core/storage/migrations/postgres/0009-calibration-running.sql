-- As ../0009-calibration-running.sql.

ALTER TABLE calibration_versions ADD COLUMN origin text NOT NULL DEFAULT 'staff'
  CHECK (origin IN ('staff', 'agent_file'));
ALTER TABLE calibration_versions ADD COLUMN content_sha256 text;

CREATE TABLE calibration_running (
  camera_id      text PRIMARY KEY,
  agent_id       text NOT NULL,
  origin         text NOT NULL CHECK (origin IN ('file', 'published', 'cache')),
  agent_version  bigint NOT NULL,
  content_sha256 text NOT NULL,
  server_version bigint,
  reported_at    bigint NOT NULL
);

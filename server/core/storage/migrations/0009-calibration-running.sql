-- One source of truth for calibration (issue 15, server/calibration/running.ts).

-- `agent_file`: recorded from the calibration file an agent runs (author `agent <id>`), with the
-- SHA-256 of its content as the agent reported it; `staff`: saved in the editor or the API.
ALTER TABLE calibration_versions ADD COLUMN origin TEXT NOT NULL DEFAULT 'staff'
  CHECK (origin IN ('staff', 'agent_file'));
ALTER TABLE calibration_versions ADD COLUMN content_sha256 TEXT;

-- The calibration each camera runs, from its agent's latest `calibration_running` report.
-- server_version: the server's version with that content; NULL while a published version overrides
-- the agent's file.
CREATE TABLE calibration_running (
  camera_id      TEXT PRIMARY KEY,
  agent_id       TEXT NOT NULL,
  origin         TEXT NOT NULL CHECK (origin IN ('file', 'published', 'cache')),
  agent_version  INTEGER NOT NULL,
  content_sha256 TEXT NOT NULL,
  server_version INTEGER,
  reported_at    INTEGER NOT NULL
) STRICT;

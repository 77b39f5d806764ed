-- Calibration versions, publish acknowledgements and privacy masks (issue 7, server/calibration/).

-- Every save of a camera's calibration is a new row; versions count from 1 per camera and are the
-- `version` of the MQTT calibration payload when published. Rows are never updated except for the
-- publish and acknowledgement columns.
CREATE TABLE calibration_versions (
  camera_id    TEXT NOT NULL,
  version      INTEGER NOT NULL CHECK (version >= 1),
  document     TEXT NOT NULL,          -- canonical Volno calibration JSON (calibration/document)
  author       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  note         TEXT NOT NULL DEFAULT '',
  slot_count   INTEGER NOT NULL,
  base_version INTEGER,
  published_at INTEGER,
  published_by TEXT,
  ack_result   TEXT CHECK (ack_result IN ('applied', 'rejected')),
  ack_reason   TEXT,
  ack_at       INTEGER,
  PRIMARY KEY (camera_id, version)
) STRICT;

-- Privacy masks per camera as staff last saved them (JSON array of {id, label?, polygon}).
CREATE TABLE calibration_masks (
  camera_id  TEXT PRIMARY KEY,
  masks      TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;

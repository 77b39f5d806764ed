-- Staff labels and per-camera heads (issue 12, server/calibration/labels/).

-- One labelled snapshot: the masked JPEG exactly as staff saw it, and which model and calibration
-- version cut the slots. Personal data (a camera image): staff-only, purged after
-- `calibration.labels_retention_days`, deleted with the camera.
CREATE TABLE calibration_label_sets (
  label_set_id        INTEGER PRIMARY KEY,
  camera_id           TEXT NOT NULL REFERENCES cameras (camera_id) ON DELETE CASCADE,
  calibration_version INTEGER NOT NULL,
  model_id            TEXT NOT NULL,
  dim                 INTEGER NOT NULL CHECK (dim >= 1),
  generic_head        TEXT NOT NULL,   -- JSON {weights, bias}: the model's head the labels are judged against
  jpeg                BLOB NOT NULL,
  width               INTEGER NOT NULL,
  height              INTEGER NOT NULL,
  captured_at         INTEGER NOT NULL,
  created_at          INTEGER NOT NULL,
  created_by          TEXT NOT NULL
) STRICT;
CREATE INDEX calibration_label_sets_camera ON calibration_label_sets (camera_id, created_at);

-- One staff label per slot of a set, with the model's feature row for it (Float32 little-endian).
CREATE TABLE calibration_labels (
  label_set_id INTEGER NOT NULL REFERENCES calibration_label_sets (label_set_id) ON DELETE CASCADE,
  slot_id      TEXT NOT NULL,
  occupied     INTEGER NOT NULL CHECK (occupied IN (0, 1)),
  predicted    INTEGER NOT NULL CHECK (predicted IN (0, 1)),
  features     BLOB NOT NULL,
  PRIMARY KEY (label_set_id, slot_id)
) STRICT;

-- The tuned head a calibration version ships with (JSON, the MQTT `tuned_head`).
CREATE TABLE calibration_heads (
  camera_id TEXT NOT NULL REFERENCES cameras (camera_id) ON DELETE CASCADE,
  version   INTEGER NOT NULL,
  head      TEXT NOT NULL,
  PRIMARY KEY (camera_id, version)
) STRICT;

-- The last measurement per camera: generic against tuned (cross-validated) on the stored labels.
CREATE TABLE calibration_accuracy (
  camera_id        TEXT PRIMARY KEY REFERENCES cameras (camera_id) ON DELETE CASCADE,
  model_id         TEXT NOT NULL,
  labels           INTEGER NOT NULL,
  accuracy_generic REAL NOT NULL,
  accuracy_tuned   REAL NOT NULL,
  shipped_version  INTEGER,
  measured_at      INTEGER NOT NULL
) STRICT;

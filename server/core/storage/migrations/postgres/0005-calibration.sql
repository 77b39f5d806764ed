-- As ../0005-calibration.sql.

CREATE TABLE calibration_versions (
  camera_id    text NOT NULL,
  version      bigint NOT NULL CHECK (version >= 1),
  document     text NOT NULL,
  author       text NOT NULL,
  created_at   bigint NOT NULL,
  note         text NOT NULL DEFAULT '',
  slot_count   bigint NOT NULL,
  base_version bigint,
  published_at bigint,
  published_by text,
  ack_result   text CHECK (ack_result IN ('applied', 'rejected')),
  ack_reason   text,
  ack_at       bigint,
  PRIMARY KEY (camera_id, version)
);

CREATE TABLE calibration_masks (
  camera_id  text PRIMARY KEY,
  masks      text NOT NULL,
  updated_at bigint NOT NULL,
  updated_by text NOT NULL
);

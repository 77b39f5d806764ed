import { VolnoError } from '../kit/errors.ts';

/** Stable codes of the edge agent; callers and log searches switch on `code`, never on the message. */
export type EdgeErrorCode =
  /** The config file is missing, not YAML, or does not match the schema. */
  | 'VOLNO_CONFIG_INVALID'
  /** A `${NAME}` placeholder names an environment variable that is not set. */
  | 'VOLNO_CONFIG_ENV_MISSING'
  /** ffmpeg could not be started at all (binary missing, bad argv). */
  | 'VOLNO_FFMPEG_SPAWN_FAILED'
  /** A source stopped delivering frames (ffmpeg exited, or the watchdog fired). */
  | 'VOLNO_CAMERA_STALLED'
  /** A source could not be opened (connection refused, 404, unreadable file). */
  | 'VOLNO_CAMERA_DOWN'
  /** An image of a replay folder could not be decoded. */
  | 'VOLNO_FRAME_CORRUPT'
  /** A calibration payload or file was rejected; the previous one stays in force. */
  | 'VOLNO_CALIBRATION_REJECTED'
  /** A state file could not be read or written; the agent starts without continuity. */
  | 'VOLNO_STATE_FILE'
  /** The MQTT broker refused or dropped the connection. */
  | 'VOLNO_MQTT_UNAVAILABLE'
  /** A snapshot could not be produced. */
  | 'VOLNO_SNAPSHOT_FAILED'
  /** The occupancy model could not be loaded or run. */
  | 'VOLNO_MODEL_FAILED';

export class EdgeError extends VolnoError<EdgeErrorCode> {
  override readonly name = 'EdgeError';
}

export { errorMessage } from '../kit/errors.ts';

/** What the alert rules watch for (issue 15). Stable: they appear in metrics labels and e-mails. */
export const ALERT_KINDS = [
  'camera_down',
  'camera_moved',
  'agent_offline',
  'storage_errors',
  'held_space_taken',
  'unknown_too_long',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** A condition the rules see right now; it becomes an alert once it has lasted (hysteresis.ts). */
export interface Condition {
  /** `kind:subject`: one alert per key may be open. */
  key: string;
  kind: AlertKind;
  /** What it is about: a camera, agent or slot id (`camera/slot`), or `server`. */
  subject: string;
  /** A short reason for staff, in the agent's or the server's words. */
  detail: string | null;
}

export const conditionKey = (kind: AlertKind, subject: string) => `${kind}:${subject}`;

import { Type } from 'typebox';

/** RFC 3339 timestamps in UTC with milliseconds, as `Date.prototype.toISOString` writes them. */
export const Timestamp = (title: string, description: string) =>
  Type.String({ format: 'date-time', title, description });

/** The one way the protocol writes a time: UTC, millisecond precision. */
export function isoNow(now: Date = new Date()): string {
  return now.toISOString();
}

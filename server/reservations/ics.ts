/** What a calendar entry says about a booking. */
export interface IcsBooking {
  code: string;
  startAt: number;
  endAt: number;
  summary: string;
  location: string;
  description: string;
  /** Cancelled bookings produce a CANCEL that removes the entry. */
  cancelled?: boolean;
  now: number;
}

const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** RFC 5545 §3.3.11 TEXT escaping. */
export const icsText = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8 sequence. */
export function fold(line: string): string {
  const out: string[] = [];
  let cur = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > (out.length === 0 ? 75 : 74)) {
      out.push(cur);
      cur = '';
      bytes = 0;
    }
    cur += ch;
    bytes += n;
  }
  out.push(cur);
  return out.join('\r\n ');
}

/**
 * An iCalendar file with one event. Times are UTC (`…Z`), which every calendar converts to local
 * time itself, so no VTIMEZONE is needed and DST cannot be got wrong here.
 */
export function bookingIcs(b: IcsBooking): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Volno//Reservations//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${b.cancelled ? 'CANCEL' : 'PUBLISH'}`,
    'BEGIN:VEVENT',
    `UID:${b.code}@volno`,
    `DTSTAMP:${stamp(b.now)}`,
    `DTSTART:${stamp(b.startAt)}`,
    `DTEND:${stamp(b.endAt)}`,
    `SUMMARY:${icsText(b.summary)}`,
    `LOCATION:${icsText(b.location)}`,
    `DESCRIPTION:${icsText(b.description)}`,
    `STATUS:${b.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}

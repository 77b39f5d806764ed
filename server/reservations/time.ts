/**
 * Wall-clock maths in one IANA zone (Europe/Prague by default) with nothing but Intl: local date +
 * minute of day → instant and back, correct on the two days a year the offset changes. No date
 * library: the ~60 lines here are all the bookings need, and `Intl.DateTimeFormat` carries the
 * tz database Node ships with.
 */

import { offsetAt, zoneFields } from '../core/time-zone.ts';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export interface LocalParts {
  /** `YYYY-MM-DD` */
  date: string;
  /** Minutes since local midnight (0–1439). */
  minute: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

/** The last answer of localParts per zone, keyed by its minute: every booking asks for "today". */
const lastParts = new Map<string, { minute: number; parts: LocalParts }>();

/** Local date, minute of day and weekday of an instant. */
export function localParts(ms: number, tz: string): LocalParts {
  // Offsets change on whole minutes, so one minute has one answer (Intl costs ~20 µs a call).
  const minute = Math.floor(ms / MINUTE_MS);
  const hit = lastParts.get(tz);
  if (hit !== undefined && hit.minute === minute) return { ...hit.parts };
  const f = zoneFields(ms, tz);
  const date = `${f.y}-${String(f.mo).padStart(2, '0')}-${String(f.d).padStart(2, '0')}`;
  const parts = { date, minute: f.h * 60 + f.mi, weekday: weekdayOf(date) };
  lastParts.set(tz, { minute, parts });
  return { ...parts };
}

/** 0 = Monday … 6 = Sunday, for a `YYYY-MM-DD` date. */
export function weekdayOf(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Calendar days from `a` to `b` (both `YYYY-MM-DD`). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

export interface Resolved {
  ms: number;
  /** The wall time does not exist that day (skipped when clocks go forward); `ms` is shifted later. */
  skipped: boolean;
}

/**
 * The instant of local `date` at `minute` (0–1440; 1440 is the next midnight). Like Temporal's
 * "compatible" disambiguation: a time that occurs twice (autumn) resolves to the earlier instant,
 * a time that never occurs (spring) moves forward by the gap and is flagged.
 */
export function resolveLocal(date: string, minute: number, tz: string): Resolved {
  const key = `${tz} ${date} ${minute}`;
  const hit = resolved.get(key);
  if (hit !== undefined) return hit;
  // Bounded: a year of 15-minute steps is ~35k keys; a burst beyond that just starts over.
  if (resolved.size >= 50_000) resolved.clear();
  const r = resolveUncached(date, minute, tz);
  resolved.set(key, r);
  return r;
}

/** Intl formatting costs ~50 µs a call here and a booking resolves the same few times again and again. */
const resolved = new Map<string, Resolved>();

function resolveUncached(date: string, minute: number, tz: string): Resolved {
  const naive = Date.parse(`${date}T00:00:00Z`) + minute * MINUTE_MS;
  // Offsets change at most once in any 24 hours in zones bookings are used in, so the offsets on
  // either side of the naive time cover every candidate.
  const offsets = new Set([offsetAt(naive - DAY_MS / 2, tz), offsetAt(naive + DAY_MS / 2, tz)]);
  const candidates = [...offsets].map((o) => naive - o).filter((t) => offsetAt(t, tz) === naive - t);
  if (candidates.length > 0) return { ms: Math.min(...candidates), skipped: false };
  return { ms: naive - offsetAt(naive - DAY_MS / 2, tz), skipped: true };
}

/** `HH:MM` → minutes; `24:00` → 1440; undefined when malformed. */
export function parseHhmm(s: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (m === null) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (mi > 59 || h > 24 || (h === 24 && mi !== 0)) return undefined;
  return h * 60 + mi;
}

export const formatHhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** True when `YYYY-MM-DD` is a real calendar date. */
export function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Easter Sunday (Gregorian, anonymous algorithm) as `YYYY-MM-DD`. */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const CZ_FIXED = ['01-01', '05-01', '05-08', '07-05', '07-06', '09-28', '10-28', '11-17', '12-24', '12-25', '12-26'];

/** Czech public holidays (zákon 245/2000 Sb.): the fixed days plus Good Friday and Easter Monday. */
export function isCzechHoliday(date: string): boolean {
  if (CZ_FIXED.includes(date.slice(5))) return true;
  const easter = easterSunday(Number(date.slice(0, 4)));
  return date === addDays(easter, -2) || date === addDays(easter, 1);
}

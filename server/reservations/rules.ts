import type { ReservationRules } from './config.ts';
import { WEEKDAYS, closureEnd, openingRanges } from './config.ts';
import { ReservationError, ruleError } from './errors.ts';
import {
  daysBetween,
  formatHhmm,
  isCzechHoliday,
  isDate,
  localParts,
  MINUTE_MS,
  parseHhmm,
  resolveLocal,
} from './time.ts';

/** A window as the visitor states it: local date and wall times. */
export interface WindowRequest {
  date: string;
  /** `HH:MM` */
  start: string;
  /** `HH:MM`, or `24:00`. */
  end: string;
}

export interface ResolvedWindow {
  startMs: number;
  endMs: number;
  date: string;
  startMin: number;
  endMin: number;
}

/** Why the lot is closed on `date`, or undefined when it opens at all. */
export function closedReason(rules: ReservationRules, date: string): string | undefined {
  if (rules.czech_public_holidays && isCzechHoliday(date)) return 'public holiday';
  if (rules.holidays.some((h) => h === date || h === date.slice(5))) return 'holiday';
  const closure = rules.closures.find((c) => c.from <= date && date <= closureEnd(c));
  if (closure !== undefined) return closure.reason ?? 'closed';
  if (openingRanges(rules, WEEKDAYS[localWeekday(date)]!).length === 0) return 'closed on this weekday';
  return undefined;
}

const localWeekday = (date: string) => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;

/** Opening ranges of `date` as `HH:MM-HH:MM`, empty when closed. */
export function openingOf(rules: ReservationRules, date: string): string[] {
  if (closedReason(rules, date) !== undefined) return [];
  return openingRanges(rules, WEEKDAYS[localWeekday(date)]!).map((r) => `${formatHhmm(r.from)}-${formatHhmm(r.to)}`);
}

/**
 * Checks a requested window against one lot's rules at `now` and turns it into instants. Throws a
 * ReservationError naming the first rule it breaks. Durations are elapsed time: 01:00–04:00 on the
 * last Sunday of March is two hours, on the last Sunday of October four.
 */
export function resolveWindow(rules: ReservationRules, w: WindowRequest, now: number, tz: string): ResolvedWindow {
  if (!rules.enabled) throw ruleError('this lot takes no bookings');
  if (!isDate(w.date)) throw new ReservationError(400, 'VOLNO_RESERVATION_INVALID', `"${w.date}" is not a date`);
  const startMin = parseHhmm(w.start);
  const endMin = parseHhmm(w.end);
  if (startMin === undefined || endMin === undefined || startMin >= 1440)
    throw new ReservationError(400, 'VOLNO_RESERVATION_INVALID', 'times must be HH:MM');
  if (endMin <= startMin)
    throw new ReservationError(400, 'VOLNO_RESERVATION_INVALID', 'the end must be after the start');
  const g = rules.granularity_min;
  if (startMin % g !== 0 || endMin % g !== 0) throw ruleError(`start and end must fall on multiples of ${g} minutes`);
  const start = resolveLocal(w.date, startMin, tz);
  const end = resolveLocal(w.date, endMin, tz);
  if (start.skipped || end.skipped)
    throw new ReservationError(
      400,
      'VOLNO_RESERVATION_INVALID',
      'that time does not exist on this day (the clocks go forward)',
    );
  const minutes = (end.ms - start.ms) / MINUTE_MS;
  if (minutes < rules.min_duration_min) throw ruleError(`a booking lasts at least ${rules.min_duration_min} minutes`);
  if (minutes > rules.max_duration_min) throw ruleError(`a booking lasts at most ${rules.max_duration_min} minutes`);
  if (start.ms < now + rules.lead_time_min * MINUTE_MS)
    throw ruleError(`a booking must start at least ${rules.lead_time_min} minutes from now`);
  const today = localParts(now, tz).date;
  if (daysBetween(today, w.date) > rules.horizon_days)
    throw ruleError(`bookings open at most ${rules.horizon_days} days ahead`);
  const closed = closedReason(rules, w.date);
  if (closed !== undefined) throw ruleError(`the car park is closed that day (${closed})`);
  const ranges = openingRanges(rules, WEEKDAYS[localWeekday(w.date)]!);
  if (!ranges.some((r) => r.from <= startMin && endMin <= r.to))
    throw ruleError('the window is outside the opening hours', openingOf(rules, w.date));
  return { startMs: start.ms, endMs: end.ms, date: w.date, startMin, endMin };
}

/** True while a visitor may still cancel or change a booking that starts at `startMs`. */
export function beforeCutoff(rules: ReservationRules, startMs: number, now: number): boolean {
  return now <= startMs - rules.cancel_cutoff_min * MINUTE_MS;
}

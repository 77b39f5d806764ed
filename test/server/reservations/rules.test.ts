import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../server/main/config/load.ts';
import { beforeCutoff, resolveWindow } from '../../../server/reservations/rules.ts';
import { openingRanges } from '../../../server/reservations/config.ts';
import { lots, rules } from './support.ts';

const TZ = 'Europe/Prague';
const HOUR = 3_600_000;

function rulesOf(o: Record<string, unknown> = {}) {
  const cfg = parseConfig({ lots: lots(1, rules(o)) }, { baseDir: '/tmp', env: {} });
  return cfg.lots[0]!.reservations!;
}

const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return `${(err as { code: string }).code}: ${(err as Error).message}`;
  }
  return 'ok';
};

// The rules read "now" from the caller; fake timers drive Date.now() exactly to each boundary.
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());
const at = (iso: string) => {
  vi.setSystemTime(new Date(iso));
  return Date.now();
};

describe('booking rules', () => {
  it('accepts a window exactly at the lead time and refuses one a minute inside it', () => {
    const r = rulesOf({ lead_time_min: 60 });
    const now = at('2026-12-02T08:00:00Z'); // 09:00 in Prague
    expect(code(() => resolveWindow(r, { date: '2026-12-02', start: '10:00', end: '11:00' }, now, TZ))).toBe('ok');
    vi.advanceTimersByTime(60_000);
    expect(code(() => resolveWindow(r, { date: '2026-12-02', start: '10:00', end: '11:00' }, Date.now(), TZ))).toMatch(
      /^VOLNO_RESERVATION_RULE: .*at least 60 minutes/,
    );
  });

  it('enforces granularity, minimum and maximum duration', () => {
    const r = rulesOf({ granularity_min: 15, min_duration_min: 30, max_duration_min: 120 });
    const now = at('2026-12-01T08:00:00Z');
    const w = (start: string, end: string) => code(() => resolveWindow(r, { date: '2026-12-02', start, end }, now, TZ));
    expect(w('10:00', '10:30')).toBe('ok');
    expect(w('10:00', '12:00')).toBe('ok');
    expect(w('10:05', '11:00')).toMatch(/multiples of 15/);
    expect(w('10:00', '10:15')).toMatch(/at least 30/);
    expect(w('10:00', '12:15')).toMatch(/at most 120/);
    expect(w('11:00', '10:00')).toMatch(/^VOLNO_RESERVATION_INVALID/);
    expect(w('25:00', '26:00')).toMatch(/^VOLNO_RESERVATION_INVALID/);
  });

  it('opens bookings exactly horizon_days ahead in local days, not one more', () => {
    const r = rulesOf({ horizon_days: 7 });
    // 23:30 UTC on 1 Dec is already 2 Dec in Prague: the horizon counts from the local day.
    const now = at('2026-12-01T23:30:00Z');
    expect(code(() => resolveWindow(r, { date: '2026-12-09', start: '10:00', end: '11:00' }, now, TZ))).toBe('ok');
    expect(code(() => resolveWindow(r, { date: '2026-12-10', start: '10:00', end: '11:00' }, now, TZ))).toMatch(
      /at most 7 days/,
    );
  });

  it('keeps bookings inside the opening hours, with the end exactly at closing allowed', () => {
    const r = rulesOf({ opening_hours: { mon: ['07:00-12:00', '13:00-18:00'], tue: ['07:00-18:00'] } });
    const now = at('2026-11-29T08:00:00Z');
    const w = (date: string, start: string, end: string) => code(() => resolveWindow(r, { date, start, end }, now, TZ));
    expect(w('2026-11-30', '07:00', '12:00')).toBe('ok');
    expect(w('2026-11-30', '11:00', '13:00')).toMatch(/outside the opening hours/);
    expect(w('2026-12-01', '17:00', '18:00')).toBe('ok');
    expect(w('2026-12-01', '17:00', '18:15')).toMatch(/outside the opening hours/);
    expect(w('2026-12-05', '10:00', '11:00')).toMatch(/closed on this weekday/); // Saturday, default closed
  });

  it('closes on Czech public holidays, extra holidays and configured closures', () => {
    const r = rulesOf({
      czech_public_holidays: true,
      holidays: ['12-31', '2026-12-03'],
      closures: [{ from: '2026-12-14', to: '2026-12-16', reason: 'resurfacing' }],
    });
    const now = at('2026-12-01T08:00:00Z');
    const w = (date: string) => code(() => resolveWindow(r, { date, start: '10:00', end: '11:00' }, now, TZ));
    expect(w('2026-12-24')).toMatch(/public holiday/);
    expect(w('2026-12-31')).toMatch(/\(holiday\)/);
    expect(w('2026-12-03')).toMatch(/\(holiday\)/);
    expect(w('2026-12-15')).toMatch(/resurfacing/);
    expect(w('2026-12-17')).toBe('ok');
    expect(w('2026-12-13')).toBe('ok');
  });

  it('measures durations in elapsed time across the March change and refuses the skipped hour', () => {
    const r = rulesOf({ max_duration_min: 120 });
    const now = at('2026-03-27T08:00:00Z');
    // 01:00–04:00 local on 29 March is two hours of real time.
    const ok = resolveWindow(r, { date: '2026-03-29', start: '01:00', end: '04:00' }, now, TZ);
    expect(ok.endMs - ok.startMs).toBe(2 * HOUR);
    expect(code(() => resolveWindow(r, { date: '2026-03-29', start: '02:30', end: '03:30' }, now, TZ))).toMatch(
      /does not exist/,
    );
  });

  it('measures durations in elapsed time across the October change', () => {
    const r = rulesOf({ max_duration_min: 180 });
    const now = at('2026-10-23T08:00:00Z');
    // 01:00–03:00 local on 25 October is three hours of real time: over a 2 h limit, within 3 h.
    const w = resolveWindow(r, { date: '2026-10-25', start: '01:00', end: '03:00' }, now, TZ);
    expect(w.endMs - w.startMs).toBe(3 * HOUR);
    const tight = rulesOf({ max_duration_min: 120 });
    expect(code(() => resolveWindow(tight, { date: '2026-10-25', start: '01:00', end: '03:00' }, now, TZ))).toMatch(
      /at most 120/,
    );
  });

  it('allows cancelling until the cut-off and not a millisecond later', () => {
    const r = rulesOf({ cancel_cutoff_min: 60 });
    const start = Date.parse('2026-12-02T09:00:00Z');
    vi.setSystemTime(start - HOUR);
    expect(beforeCutoff(r, start, Date.now())).toBe(true);
    vi.advanceTimersByTime(1);
    expect(beforeCutoff(r, start, Date.now())).toBe(false);
  });

  it('rejects inconsistent rules at config load with path: message lines', () => {
    const bad = () =>
      parseConfig(
        {
          lots: lots(
            1,
            rules({
              granularity_min: 15,
              min_duration_min: 50,
              max_duration_min: 30,
              opening_hours: { mon: ['18:00-07:00', '07:10-08:00'] },
              holidays: ['02-30'],
            }),
          ),
        },
        { baseDir: '/tmp', env: {} },
      );
    expect(bad).toThrow(/\/lots\/0\/reservations\/min_duration_min: is longer than max_duration_min/);
    expect(bad).toThrow(/opening_hours\/mon\/0: ends before it starts/);
    expect(bad).toThrow(/opening_hours\/mon\/1: must fall on multiples/);
    expect(bad).toThrow(/holidays\/0: "02-30" is not a calendar date/);
    const unknownKey = () => parseConfig({ lots: lots(1, rules({ grace: 5 })) }, { baseDir: '/tmp', env: {} });
    expect(unknownKey).toThrow(/reservations/);
    const noSlot = () =>
      parseConfig(
        {
          lots: [
            { lot_id: 'x', name: 'X', cameras: [{ camera_id: 'c', slots: [{ slot_id: 's' }] }], reservations: {} },
          ],
        },
        { baseDir: '/tmp', env: {} },
      );
    expect(noSlot).toThrow(/\/lots\/0\/reservations: no slot of this lot is marked reservable/);
  });

  it('fills sensible defaults: weekdays 07:00–18:00, weekends closed, Czech holidays on, e-mail confirmation', () => {
    const smtp = { host: 'mail.example.cz', from: 'parking@example.cz', public_url: 'https://parking.example.cz' };
    const d = parseConfig({ lots: [{ ...lots(1)[0], reservations: {} }], smtp }, { baseDir: '/tmp', env: {} }).lots[0]!
      .reservations!;
    expect(d.identity).toBe('email');
    expect(d.opening_hours.mon).toEqual(['07:00-18:00']);
    expect(openingRanges(d, 'mon')).toEqual([{ from: 420, to: 1080 }]);
    expect(d.opening_hours.sat).toEqual([]);
    expect(d.czech_public_holidays).toBe(true);
    expect(d.grace_min).toBe(15);
  });
});

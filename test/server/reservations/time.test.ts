import { describe, expect, it } from 'vitest';
import { offsetAt } from '../../../server/core/time-zone.ts';
import { easterSunday, isCzechHoliday, localParts, resolveLocal } from '../../../server/reservations/time.ts';

const TZ = 'Europe/Prague';
const HOUR = 3_600_000;

describe('Prague wall-clock maths', () => {
  it('knows the winter and summer offsets', () => {
    expect(offsetAt(Date.parse('2026-01-15T12:00:00Z'), TZ)).toBe(HOUR);
    expect(offsetAt(Date.parse('2026-07-15T12:00:00Z'), TZ)).toBe(2 * HOUR);
  });

  it('resolves ordinary local times to the right instant in winter and in summer', () => {
    expect(resolveLocal('2026-12-02', 10 * 60, TZ)).toEqual({ ms: Date.parse('2026-12-02T09:00:00Z'), skipped: false });
    expect(resolveLocal('2026-07-02', 10 * 60, TZ)).toEqual({ ms: Date.parse('2026-07-02T08:00:00Z'), skipped: false });
    expect(resolveLocal('2026-12-02', 1440, TZ).ms).toBe(Date.parse('2026-12-02T23:00:00Z'));
  });

  it('flags the hour skipped on the last Sunday of March and moves it forward', () => {
    // 2026-03-29: 02:00 CET becomes 03:00 CEST.
    const r = resolveLocal('2026-03-29', 2 * 60 + 30, TZ);
    expect(r.skipped).toBe(true);
    expect(localParts(r.ms, TZ)).toMatchObject({ date: '2026-03-29', minute: 3 * 60 + 30 });
    expect(resolveLocal('2026-03-29', 3 * 60, TZ)).toEqual({ ms: Date.parse('2026-03-29T01:00:00Z'), skipped: false });
    expect(resolveLocal('2026-03-29', 1 * 60 + 59, TZ)).toEqual({
      ms: Date.parse('2026-03-29T00:59:00Z'),
      skipped: false,
    });
  });

  it('takes the earlier instant of the hour repeated on the last Sunday of October', () => {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
    const r = resolveLocal('2026-10-25', 2 * 60 + 30, TZ);
    expect(r).toEqual({ ms: Date.parse('2026-10-25T00:30:00Z'), skipped: false });
    expect(resolveLocal('2026-10-25', 3 * 60, TZ).ms).toBe(Date.parse('2026-10-25T02:00:00Z'));
    // The local day is 25 hours long.
    expect(resolveLocal('2026-10-26', 0, TZ).ms - resolveLocal('2026-10-25', 0, TZ).ms).toBe(25 * HOUR);
  });

  it('reads back local date, minute and weekday across midnight and the offset change', () => {
    expect(localParts(Date.parse('2026-12-01T23:30:00Z'), TZ)).toEqual({ date: '2026-12-02', minute: 30, weekday: 2 });
    expect(localParts(Date.parse('2026-10-25T01:30:00Z'), TZ)).toMatchObject({ date: '2026-10-25', minute: 150 });
    expect(localParts(Date.parse('2026-10-25T00:30:00Z'), TZ)).toMatchObject({ date: '2026-10-25', minute: 150 });
  });

  it('computes Easter and the Czech public holidays that move with it', () => {
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
    expect(isCzechHoliday('2026-04-03')).toBe(true); // Good Friday
    expect(isCzechHoliday('2026-04-06')).toBe(true); // Easter Monday
    expect(isCzechHoliday('2026-04-05')).toBe(false); // Sunday itself is no extra holiday
    expect(isCzechHoliday('2026-10-28')).toBe(true);
    expect(isCzechHoliday('2026-12-24')).toBe(true);
    expect(isCzechHoliday('2026-12-02')).toBe(false);
  });
});

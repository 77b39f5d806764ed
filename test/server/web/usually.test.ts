import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// 2026-11-30 is a Monday. Two earlier Mondays at 09:xx in Prague (08:xx UTC in winter time).
const clock = new ManualClock(Date.parse('2026-11-30T12:00:00Z'));
const counts = (free: number) => ({ free, occupied: 3 - free, unknown: 0, reserved: 0 });
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({}, { clock, listen: false });
  const a = s.app.volno.aggregates;
  await a.record([{ lotId: 'north', counts: counts(1) }], Date.parse('2026-11-16T08:05:00Z'));
  await a.record([{ lotId: 'north', counts: counts(3) }], Date.parse('2026-11-23T08:05:00Z'));
  await a.record([{ lotId: 'north', counts: counts(0) }], Date.parse('2026-11-23T16:05:00Z'));
});
afterAll(() => s.stop());

/** The cells of one weekday's row of the "usually" table. */
function row(html: string, day: string): string[] {
  const m = new RegExp(`<tr><th scope="row">${day}</th>(.*?)</tr>`).exec(html);
  if (m === null) throw new Error(`no row for ${day}`);
  return [...m[1]!.matchAll(/<td>(.*?)<\/td>/g)].map((x) => x[1]!);
}

describe('the lot page’s "usually" chart', () => {
  it('draws the stored hourly history as an SVG heat map with the same numbers in a table', async () => {
    const r = await s.app.inject({ url: '/lot/north?lang=en' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<h2 id="usually-north">How many spaces are usually free</h2>');
    expect(r.body).toMatch(/<svg class="usually-chart" role="img" aria-labelledby="usually-title-north"/);
    expect(r.body).toContain(
      '<title id="usually-title-north">Chart: usual free spaces by weekday and hour, North car park</title>',
    );
    expect(r.body).toContain('Based on 2 weeks of data.');
    const monday = row(r.body, 'Monday');
    expect(monday).toHaveLength(24);
    expect(monday[9]).toBe('2'); // (1 + 3) / 2 at 09:00
    expect(monday[17]).toBe('0'); // 17:00, one Monday, full
    expect(monday[8]).toContain('no data');
    expect(row(r.body, 'Tuesday').every((c) => c.includes('no data'))).toBe(true);
    // 09:00 on Monday is a mid shade (2 of 3 free), 17:00 the "nearly full" one.
    expect(r.body).toContain('<rect class="uc-cell uq3" x="289"');
    expect(r.body).toContain('<rect class="uc-cell uq0" x="513"');
  });

  it('is in Czech on the Czech page', async () => {
    const r = await s.app.inject({ url: '/lot/north?lang=cs' });
    expect(r.body).toContain('Kolik bývá volno');
    expect(row(r.body, 'pondělí')[9]).toBe('2');
  });

  it('says there is no history yet instead of drawing an empty chart', async () => {
    const r = await s.app.inject({ url: '/lot/south?lang=en' });
    expect(r.body).toContain('There is not enough history yet');
    expect(r.body).not.toContain('usually-chart');
  });

  it('is left out of the embeddable widget', async () => {
    expect((await s.app.inject({ url: '/embed/north?lang=en' })).body).not.toContain('data-usually');
  });
});

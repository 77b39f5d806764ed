import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnv, type Env } from './support.ts';

const counts = (free: number) => ({ free, occupied: 3 - free, unknown: 0, reserved: 0 });
let env: Env;

beforeAll(async () => {
  env = await startEnv();
  // Two Wednesdays at 10:xx in Prague (09:xx UTC in winter time); T0 is Tuesday 2026-12-01.
  const a = env.s.app.volno.aggregates;
  await a.record([{ lotId: 'office', counts: counts(2) }], Date.parse('2026-11-18T09:10:00Z'));
  await a.record([{ lotId: 'office', counts: counts(3) }], Date.parse('2026-11-25T09:10:00Z'));
  await a.record([{ lotId: 'office', counts: counts(1) }], Date.parse('2026-11-25T09:40:00Z'));
  await a.record([{ lotId: 'office', counts: counts(0) }], Date.parse('2026-11-25T10:10:00Z'));
});
afterAll(() => env.s.stop());

const get = (url: string) => env.app.inject({ url });

describe('the booking pages on the GOV.CZ design system', () => {
  it('draw the search form with GOV.CZ form controls and link the shared stylesheet', async () => {
    const r = await get('/reserve?lang=en');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<html lang="en" data-theme="light">');
    expect(r.body).toMatch(/<link rel="stylesheet" href="\/assets\/gov\.css\?v=[\w-]{8}">/);
    expect(r.body).toContain(
      '<div class="gov-form-select" data-size="m" data-hydrated><div class="element"><select id="lot_id"',
    );
    expect(r.body).toContain('<div class="gov-form-input" data-size="m"><div class="element"><input id="date"');
    expect(r.body).toContain(
      '<button class="gov-button" data-type="solid" data-color="primary" data-size="m" type="submit">',
    );
    // The stylesheet it links is the one the public asset route serves.
    const css = /href="(\/assets\/gov\.css\?v=[\w-]{8})"/.exec(r.body)![1]!;
    expect((await get(css)).statusCode).toBe(200);
  });

  it('show the expected free spaces at the chosen time from the stored history, as an estimate', async () => {
    const r = await get('/reserve?lang=en&lot_id=office&date=2026-12-02&start=10:00&end=11:00');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<h2 id="expected-h">Estimate from history</h2>');
    // 10:00 on Wednesdays: (2 + 3 + 1) / 3 = 2 free, from two Wednesdays.
    expect(r.body).toContain('data-expected="2"');
    expect(r.body).toContain(
      'On a Wednesday between 10:00 and 11:00 there are usually 2 free spaces in the whole car park. This is an estimate',
    );
    expect(r.body).toContain('<p data-expected-weeks="2">Based on 2 weeks of data.</p>');
    // A window reaching into 11:00, which one Wednesday saw full, is estimated by that hour.
    const longer = await get('/reserve?lang=cs&lot_id=office&date=2026-12-02&start=10:00&end=11:30');
    expect(longer.body).toContain('data-expected="0"');
    expect(longer.body).toContain('Vychází z údajů za 1 týden.');
  });

  it('say so when there is no history for that day and time', async () => {
    const r = await get('/reserve?lang=en&lot_id=office&date=2026-12-03&start=10:00&end=11:00');
    expect(r.body).toContain('data-expected-none');
    expect(r.body).toContain('There is no history yet for this day and time');
    expect(r.body).not.toContain('data-expected="');
  });

  it('book without JavaScript: a GET form, a POST form, a redirect and the manage page', async () => {
    const search = await get('/reserve?lang=en&lot_id=office&date=2026-12-02&start=10:00&end=11:00');
    expect(search.body).toContain('<form method="post" action="/reserve/book?lang=en" class="book">');
    expect(search.body).not.toMatch(/<script/);
    const hidden = Object.fromEntries(
      [...search.body.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]),
    );
    expect(hidden).toMatchObject({ lot_id: 'office', date: '2026-12-02', start: '10:00', end: '11:00' });
    const body = new URLSearchParams({ ...hidden, name: 'Jana Nováková', email: 'jana@example.cz', consent: 'yes' });
    const booked = await env.app.inject({
      method: 'POST',
      url: '/reserve/book?lang=en',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
    expect(booked.statusCode).toBe(303);
    const manage = await get(booked.headers.location as string);
    expect(manage.statusCode).toBe(200);
    expect(manage.body).toMatch(/<strong data-code>[0-9A-Z]{4}-[0-9A-Z]{4}<\/strong>/);
    expect(manage.body).toContain('data-color="error"'); // the cancel button, a GOV.CZ error button
  });
});

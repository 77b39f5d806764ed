import { afterEach, describe, expect, it } from 'vitest';
import { subnetOf } from '../../../server/core/http/client-address.ts';
import { tempDir } from '../support/config.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import { T0, STAFF_TOKEN, booking, lots } from './support.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

const LIMITS = { booking_window_s: 3600, bookings_per_address: 5, bookings_per_subnet: 8 };

/** A listening server behind a "proxy" on 127.0.0.1: X-Forwarded-For then names the client, as nginx does. */
async function start(clock: ManualClock, dataDir?: string): Promise<TestServer> {
  const s = await startTestServer(
    {
      lots: lots(40),
      http: { staff_token: STAFF_TOKEN, trust_proxy: ['127.0.0.1'] },
      limits: LIMITS,
    },
    { clock, listen: true, ...(dataDir !== undefined ? { dataDir } : {}) },
  );
  servers.push(s);
  return s;
}

let n = 0;
/** One booking from `client`, each with a fresh e-mail and plate (the flood of finding 2 varied both). */
function book(s: TestServer, client: string) {
  n++;
  return fetch(`${s.httpUrl}/api/v1/reservations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify(booking({ email: `flood${n}@example.cz`, plate: `${n}AB ${1000 + n}`, name: `Flood ${n}` })),
  });
}

async function flood(s: TestServer, client: string, tries: number): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < tries; i++) codes.push((await book(s, client)).status);
  return codes;
}

describe('booking limits per client address and subnet', () => {
  it('refuses a flood from one address after the limit while a second address still books', async () => {
    const s = await start(new ManualClock(T0));
    const codes = await flood(s, '198.51.100.7', 20);
    expect(codes).toEqual([...Array<number>(5).fill(201), ...Array<number>(15).fill(429)]);
    const refused = await book(s, '198.51.100.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(await refused.json()).toMatchObject({ code: 'VOLNO_RATE_LIMITED', status: 429 });
    // A citizen elsewhere is not affected.
    expect((await book(s, '203.0.113.20')).status).toBe(201);
    // The booking form counts against the same budget.
    const form = await fetch(`${s.httpUrl}/reserve/book`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.7' },
      body: new URLSearchParams({ ...booking({ email: 'form@example.cz' }), consent: 'yes' } as never).toString(),
      redirect: 'manual',
    });
    expect(form.status).toBe(429);
    // A citizen without JavaScript gets a page that says so, not the API's JSON.
    expect(form.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Number(form.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(await form.text()).toMatch(/příliš mnoho rezervací|Too many bookings/);
    const metrics = await (
      await fetch(`${s.httpUrl}/metrics`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } })
    ).text();
    expect(metrics).toMatch(/^volno_rate_limited_total\{limit="booking_address"\} 17$/m);
  });

  it('counts a /24 as one network, so rotating addresses in it does not multiply the budget', async () => {
    const s = await start(new ManualClock(T0));
    expect(await flood(s, '198.51.100.1', 5)).toEqual([201, 201, 201, 201, 201]);
    expect(await flood(s, '198.51.100.2', 4)).toEqual([201, 201, 201, 429]);
    const r = await book(s, '198.51.100.3');
    expect(r.status).toBe(429);
    expect(((await r.json()) as { message: string }).message).toMatch(/your network/);
    expect((await book(s, '198.51.101.1')).status).toBe(201);
  });

  it('does not count bookings that were refused anyway (full, invalid)', async () => {
    const s = await start(new ManualClock(T0));
    for (let i = 0; i < 8; i++) {
      const r = await fetch(`${s.httpUrl}/api/v1/reservations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.9' },
        body: JSON.stringify(booking({ start: '10:07' })),
      });
      expect(r.status).toBe(422);
    }
    expect(await flood(s, '192.0.2.9', 1)).toEqual([201]);
  });

  it('keeps the count across a restart and shares it between instances on one database, until the window passes', async () => {
    const clock = new ManualClock(T0);
    const tmp = tempDir();
    try {
      const first = await start(clock, tmp.dir);
      expect(await flood(first, '198.51.100.7', 3)).toEqual([201, 201, 201]);
      const second = await start(clock, tmp.dir);
      expect(await flood(second, '198.51.100.7', 3)).toEqual([201, 201, 429]);
      expect(await flood(first, '198.51.100.7', 1)).toEqual([429]);
      await first.stop();
      await second.stop();
      const restarted = await start(clock, tmp.dir);
      expect(await flood(restarted, '198.51.100.7', 1)).toEqual([429]);
      clock.advance(3600_000);
      expect(await flood(restarted, '198.51.100.7', 1)).toEqual([201]);
      await restarted.stop();
    } finally {
      tmp.cleanup();
    }
  });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    const clock = new ManualClock(T0);
    const s = await startTestServer(
      { lots: lots(40), http: { staff_token: STAFF_TOKEN }, limits: LIMITS },
      { clock, listen: true },
    );
    servers.push(s);
    // Without trust_proxy every request is 127.0.0.1, however the header varies.
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await book(s, `203.0.113.${i + 1}`)).status);
    expect(codes).toEqual([201, 201, 201, 201, 201, 429]);
  });
});

describe('subnetOf', () => {
  it('cuts IPv4 to /24 and IPv6 to /64, mapped IPv4 included', () => {
    expect(subnetOf('198.51.100.77')).toBe('198.51.100.0/24');
    expect(subnetOf('::ffff:198.51.100.77')).toBe('198.51.100.0/24');
    expect(subnetOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(subnetOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(subnetOf('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(subnetOf('::1')).toBe('0:0:0:0::/64');
  });
});

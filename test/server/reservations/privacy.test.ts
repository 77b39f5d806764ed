import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/main/app.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { hashToken } from '../../../server/reservations/token.ts';
import { tempDir, testConfig } from '../support/config.ts';
import { booking, lots, rules, STAFF_TOKEN, staffHeaders, T0 } from './support.ts';

const DAY = 86_400_000;
const lines: string[] = [];
const data = tempDir('volno-privacy-');
const clock = new ManualClock(T0);
let app: FastifyInstance;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const config = testConfig(data.dir, {
    lots: lots(2, rules()),
    http: { staff_token: STAFF_TOKEN },
    privacy: { purge_after_days: 7 },
  });
  // Debug level: even the chattiest log must carry no personal data.
  app = await buildApp(config, { clock, logger: createLogger('debug', { destination: sink }) });
});
afterAll(async () => {
  await app?.close();
  data.cleanup();
});

const PERSON = { name: 'Zdeňka Soukromá', email: 'zdenka.soukroma@example.cz', plate: '3SK 7788' };

describe('privacy of bookings', () => {
  it('keeps names, e-mails, plates and manage tokens out of the log', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/reservations', payload: booking(PERSON) });
    expect(r.statusCode).toBe(201);
    const token = r.json().manage_token as string;
    // A refused one (limit) and a form post, a change and a cancellation: every path that logs.
    await app.inject({ method: 'POST', url: '/api/v1/reservations', payload: booking(PERSON) });
    await app.inject({
      method: 'POST',
      url: '/reserve/book?lang=cs',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...booking({ date: '2026-12-03', ...PERSON }), consent: 'yes' } as Record<
        string,
        string
      >).toString(),
    });
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/reservations/manage/${token}`,
      payload: { date: '2026-12-02', start: '10:15', end: '12:00' },
    });
    await app.inject({ method: 'DELETE', url: `/api/v1/reservations/manage/${token}` });
    await app.inject({ url: '/api/v1/staff/reservations/bookings.csv', headers: staffHeaders });
    const log = lines.join('');
    expect(log).toContain('booking created'); // the log was captured at all
    expect(log).toContain('booking cancelled');
    for (const secret of [PERSON.name, PERSON.email, PERSON.plate, '3SK7788', token, 'Soukrom'])
      expect(log).not.toContain(secret);
  });

  it('stores only a hash of the manage token', async () => {
    const row = (await app.volno.sql.one<{ token_hash: Buffer }>(`SELECT token_hash FROM bookings LIMIT 1`))!;
    expect(row.token_hash).toHaveLength(32);
    const dump = JSON.stringify(await app.volno.sql.all('SELECT * FROM bookings'));
    expect(dump).not.toMatch(/[A-Za-z0-9_-]{43}/);
    expect(hashToken('x')).toHaveLength(32);
  });

  it('erases personal data N days after the booking ends and keeps anonymous counts', async () => {
    const purger = app.volno.reservations.purger;
    const end = Date.parse('2026-12-03T11:00:00Z'); // the later booking ends 12:00 Prague on 3 Dec
    clock.set(end + 7 * DAY - 1);
    expect(await purger.tick()).toBe(1); // the 2 Dec one is already past its 7 days, the 3 Dec one not
    clock.set(end + 7 * DAY + 1);
    expect(await purger.tick()).toBe(1);
    expect(await purger.tick()).toBe(0);
    const rows = await app.volno.sql.all<Record<string, unknown>>(
      'SELECT name, email, plate, email_key, plate_key, purged_at, status FROM bookings',
    );
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect([r['name'], r['email'], r['plate'], r['email_key'], r['plate_key']]).toEqual([
        null,
        null,
        null,
        null,
        null,
      ]);
      expect(r['purged_at']).not.toBeNull();
    }
    const staff = (await app.inject({ url: '/api/v1/staff/reservations/bookings', headers: staffHeaders })).json();
    expect(staff.map((b: { purged: boolean; status: string }) => [b.purged, b.status]).sort()).toEqual([
      [true, 'cancelled'],
      [true, 'confirmed'],
    ]);
  });
});

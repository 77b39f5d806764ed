import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import { waitFor } from '../../fixtures/process.ts';
import { decodedMail, startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../../support/smtp.ts';
import { tempDir } from '../support/config.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { booking, lots, rules, STAFF_TOKEN, T0 } from './support.ts';

const inbox: ReceivedMail[] = [];
let smtp: SmtpReceiver;
let port: number;
const data = tempDir('volno-mail-');

beforeAll(async () => {
  smtp = await startSmtpReceiver(inbox);
  port = smtp.port;
});
afterAll(async () => {
  await smtp.stop();
  data.cleanup();
});

function start(clock: ManualClock): Promise<TestServer> {
  return startTestServer(
    {
      lots: lots(2, rules()),
      http: { staff_token: STAFF_TOKEN },
      smtp: {
        host: '127.0.0.1',
        port,
        from: 'Parkování <parking@example.cz>',
        public_url: 'https://parking.example.cz/',
        reminder_before_min: 60,
      },
    },
    { clock, dataDir: data.dir, listen: false },
  );
}

const mailsTo = (addr: string, subject: RegExp) =>
  inbox.filter((m) => m.to.includes(addr) && subject.test(decodedMail(m.raw)));

describe('booking e-mails through a real SMTP receiver', () => {
  it('sends the confirmation with code, manage link and calendar file, and one reminder that survives a restart', async () => {
    const clock = new ManualClock(T0);
    let s = await start(clock);
    try {
      // Starts 12:00 Prague (11:00Z), three hours after T0: the reminder is due at 10:00Z.
      const res = await s.app.inject({
        method: 'POST',
        url: '/api/v1/reservations',
        payload: booking({ date: '2026-12-01', start: '12:00', end: '13:00', email: 'eva@example.cz', lang: 'en' }),
      });
      expect(res.statusCode).toBe(201);
      const { code, manage_token: token } = res.json();
      await waitFor(() => mailsTo('eva@example.cz', /Subject: Parking booking/).length === 1, {
        timeoutMs: 10_000,
        what: 'the confirmation',
      });
      const mail = decodedMail(mailsTo('eva@example.cz', /Subject: Parking booking/)[0]!.raw);
      expect(mail).toContain(code);
      expect(mail).toContain(`https://parking.example.cz/reserve/manage/${token}`);
      expect(mail).toMatch(/Content-Type: text\/calendar/);
      // Once sent, the token is gone from the outbox: only its hash remains in the database.
      const leftover = 'SELECT count(*) AS n FROM reservation_mail WHERE link_token IS NOT NULL';
      expect(await s.app.volno.sql.one(leftover)).toEqual({ n: 0 });
      await s.app.volno.reservations.mailer!.kick();
      expect(mailsTo('eva@example.cz', /Subject: Parking booking/)).toHaveLength(1);
      expect(mailsTo('eva@example.cz', /Subject: Reminder/)).toHaveLength(0);
    } finally {
      await s.stop();
    }

    // The server restarts after the reminder fell due: the new process sends it, once.
    clock.set(Date.parse('2026-12-01T10:00:00Z'));
    s = await start(clock);
    try {
      await waitFor(() => mailsTo('eva@example.cz', /Subject: Reminder/).length === 1, {
        timeoutMs: 10_000,
        what: 'the reminder after the restart',
      });
      await s.app.volno.reservations.mailer!.kick();
      await s.app.volno.reservations.mailer!.kick();
      expect(mailsTo('eva@example.cz', /Subject: Reminder/)).toHaveLength(1);
      expect(decodedMail(mailsTo('eva@example.cz', /Subject: Reminder/)[0]!.raw)).not.toMatch(/reserve\/manage\//);
    } finally {
      await s.stop();
    }
  });

  it('sends no reminder for a cancelled booking, but a cancellation notice', async () => {
    const clock = new ManualClock(T0);
    const s = await start(clock);
    try {
      const res = await s.app.inject({
        method: 'POST',
        url: '/api/v1/reservations',
        payload: booking({
          date: '2026-12-01',
          start: '14:00',
          end: '15:00',
          email: 'petr@example.cz',
          plate: '9Z',
          lang: 'en',
        }),
      });
      const { manage_token: token } = res.json();
      expect((await s.app.inject({ method: 'DELETE', url: `/api/v1/reservations/manage/${token}` })).statusCode).toBe(
        200,
      );
      await waitFor(() => mailsTo('petr@example.cz', /Subject: Cancelled parking booking/).length === 1, {
        timeoutMs: 10_000,
        what: 'the cancellation notice',
      });
      expect(mailsTo('petr@example.cz', /Subject: Parking booking/)).toHaveLength(1);
      clock.set(Date.parse('2026-12-01T12:30:00Z'));
      await s.app.volno.reservations.mailer!.kick();
      expect(inbox.filter((m) => m.to.includes('petr@example.cz'))).toHaveLength(2);
    } finally {
      await s.stop();
    }
  });
});

import type { Database, Statement } from 'better-sqlite3';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { SmtpConfig } from './config.ts';
import { bookingIcs } from './ics.ts';
import { fill, formatWindow, R } from './i18n.ts';
import { pendingMail } from './identity-i18n.ts';
import type { Booking, BookingStore } from './store.ts';
import { MINUTE_MS } from './time.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

type Kind = 'confirmation' | 'reminder' | 'cancellation';

interface MailRow {
  id: number;
  booking_id: number;
  kind: Kind;
  link_token: string | null;
  attempts: number;
}

const MAX_ATTEMPTS = 8;
const LEASE_MS = 5 * 60_000;

/**
 * The e-mail outbox. Rows are written in the booking's own transaction (so a booking never lacks
 * its confirmation, and a crash never loses one); a timer sends what is due. A row is claimed
 * with a lease before sending and marked sent after, so neither a restart nor a second server
 * instance sends it twice; a failed send is retried with backoff.
 */
export class Mailer {
  private readonly timer: PeriodicTimer;
  private transport: Transporter | undefined;
  private running: Promise<void> | undefined;
  private readonly s: Record<string, Statement>;

  constructor(
    db: Database,
    private readonly store: BookingStore,
    private readonly smtp: SmtpConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly lot: (lotId: string, lang: 'cs' | 'en') => { name: string; address: string },
    private readonly tz: string,
  ) {
    this.timer = new PeriodicTimer(() => this.kick(), {
      everyMs: smtp.retry_interval_s * 1000,
      name: 'booking e-mail',
      log,
      immediate: true,
    });
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      enqueue: p(`INSERT INTO reservation_mail (booking_id, kind, send_at, link_token) VALUES (?, ?, ?, ?)
        ON CONFLICT (booking_id, kind) DO UPDATE SET send_at = excluded.send_at, sent_at = NULL, attempts = 0,
        claimed_until = NULL, link_token = coalesce(excluded.link_token, link_token)`),
      drop: p(`DELETE FROM reservation_mail WHERE booking_id = ? AND kind = ? AND sent_at IS NULL`),
      due: p(`SELECT id, booking_id, kind, link_token, attempts FROM reservation_mail WHERE sent_at IS NULL
        AND send_at <= ? AND attempts < ${MAX_ATTEMPTS} AND (claimed_until IS NULL OR claimed_until < ?)
        ORDER BY send_at LIMIT 50`),
      claim: p(`UPDATE reservation_mail SET claimed_until = ?, attempts = attempts + 1 WHERE id = ? AND sent_at IS NULL
        AND (claimed_until IS NULL OR claimed_until < ?)`),
      sent: p(`UPDATE reservation_mail SET sent_at = ?, link_token = NULL, last_error = ? WHERE id = ?`),
      failed: p(`UPDATE reservation_mail SET claimed_until = ?, last_error = ? WHERE id = ?`),
    };
  }

  start(): void {
    if (this.timer.running) return;
    this.transport = nodemailer.createTransport({
      host: this.smtp.host,
      port: this.smtp.port,
      secure: this.smtp.secure,
      requireTLS: this.smtp.require_tls,
      ...(this.smtp.username !== undefined ? { auth: { user: this.smtp.username, pass: this.smtp.password } } : {}),
    });
    this.timer.start();
  }

  async stop(): Promise<void> {
    this.timer.stop();
    await this.running;
    this.transport?.close();
    this.transport = undefined;
  }

  /** Queues the mails of a new booking; called inside its transaction. */
  created(b: Booking, token: string, now: number): void {
    this.s['enqueue']!.run(b.id, 'confirmation', now, token);
    this.scheduleReminder(b, now);
  }

  changed(b: Booking, now: number): void {
    this.scheduleReminder(b, now);
  }

  cancelled(b: Booking, now: number): void {
    this.s['drop']!.run(b.id, 'reminder');
    this.s['enqueue']!.run(b.id, 'cancellation', now, null);
  }

  private scheduleReminder(b: Booking, now: number): void {
    const at = b.startAt - this.smtp.reminder_before_min * MINUTE_MS;
    // A booking made closer to its start than the reminder lead needs no reminder on top of the confirmation.
    if (at > now) this.s['enqueue']!.run(b.id, 'reminder', at, null);
    else this.s['drop']!.run(b.id, 'reminder');
  }

  /** Sends what is due (after the current turn); concurrent kicks share one run. */
  kick(): Promise<void> {
    if (this.transport === undefined) return Promise.resolve();
    this.running ??= new Promise<void>((r) => setImmediate(r))
      .then(() => this.sendDue())
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async sendDue(): Promise<void> {
    const now = this.clock.now();
    for (const row of this.s['due']!.all(now, now) as MailRow[]) {
      if (this.transport === undefined) return;
      if (this.s['claim']!.run(now + LEASE_MS, row.id, now).changes !== 1) continue;
      const b = this.store.byId(row.booking_id);
      // Purged or no longer relevant: marked done so it is not retried; nothing to send to.
      // A pending booking that lapsed before its link went out needs no mail either.
      const lapsed = b?.pendingUntil != null && b.status !== 'confirmed';
      if (b === undefined || b.email === null || lapsed || (row.kind === 'reminder' && b.status !== 'confirmed')) {
        this.s['sent']!.run(now, 'skipped', row.id);
        continue;
      }
      try {
        await this.transport.sendMail(this.message(row, b, now));
        this.s['sent']!.run(this.clock.now(), null, row.id);
        this.log.info({ booking_id: b.id, mail: row.kind }, 'booking e-mail sent');
      } catch (err) {
        const backoff = Math.min(3600_000, 30_000 * 2 ** row.attempts);
        const code = (err as { code?: string }).code ?? 'error';
        this.s['failed']!.run(this.clock.now() + backoff, String(code).slice(0, 100), row.id);
        // The error message of an SMTP refusal may quote the recipient, so only its code is logged.
        this.log.warn({ booking_id: b.id, mail: row.kind, code, attempt: row.attempts + 1 }, 'booking e-mail failed');
      }
    }
  }

  private message(row: MailRow, b: Booking, now: number) {
    const s = R[b.lang];
    const lot = this.lot(b.lotId, b.lang);
    const when = formatWindow(b.lang, b.startAt, b.endAt, this.tz);
    const subject = fill(
      row.kind === 'confirmation' ? s.mailSubject : row.kind === 'reminder' ? s.reminderSubject : s.cancelSubject,
      { code: b.code },
    );
    const link = row.link_token === null ? undefined : `${this.smtp.public_url}/reserve/manage/${row.link_token}`;
    if (row.kind === 'confirmation' && b.pendingUntil !== null && link !== undefined)
      return { from: this.smtp.from, to: b.email!, ...pendingMail(b, link, when, lot, this.tz) };
    const lines = [
      row.kind === 'cancellation' ? s.cancelled : row.kind === 'confirmation' ? s.confirmed : s.yourBooking,
      '',
      `${s.code}: ${b.code}`,
      `${s.when}: ${when}`,
      `${s.where}: ${lot.name}${lot.address ? `, ${lot.address}` : ''}`,
      '',
      row.kind === 'cancellation' ? '' : link !== undefined ? fill(s.mailManage, { url: link }) : s.mailReminderManage,
    ];
    const ics = bookingIcs({
      code: b.code,
      startAt: b.startAt,
      endAt: b.endAt,
      summary: fill(s.mailSubject, { code: b.code }),
      location: lot.address ? `${lot.name}, ${lot.address}` : lot.name,
      description: `${s.code}: ${b.code}`,
      cancelled: row.kind === 'cancellation',
      now,
    });
    return {
      from: this.smtp.from,
      to: b.email!,
      subject,
      text: lines.join('\n'),
      icalEvent: { method: row.kind === 'cancellation' ? 'CANCEL' : 'PUBLISH', content: ics },
    };
  }
}

import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { SmtpConfig } from './config.ts';
import { bookingIcs } from './ics.ts';
import { fill, formatWindow, R } from './i18n.ts';
import { pendingMail } from './identity-i18n.ts';
import { MailOutbox, type MailRow } from './outbox.ts';
import type { Booking, BookingStore } from './store.ts';
import { MINUTE_MS } from './time.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

const LEASE_MS = 5 * 60_000;
/** Mails sent per run at most; the timer's next run sends the rest. */
const PER_RUN = 50;

/**
 * The e-mail outbox. Rows are written in the booking's own transaction (so a booking never lacks
 * its confirmation, and a crash never loses one); a timer sends what is due. A row is claimed
 * with a lease before sending and marked sent after, so neither a restart nor a second server
 * instance sends it twice (outbox.ts); a failed send is retried with backoff.
 */
export class Mailer {
  private readonly timer: PeriodicTimer;
  private transport: Transporter | undefined;
  private running: Promise<void> | undefined;
  readonly outbox: MailOutbox;

  constructor(
    sql: SqlExecutor,
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
    this.outbox = new MailOutbox(sql);
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

  /** Queues the mails of a new booking; called inside its transaction (`tx`). */
  async created(tx: SqlExecutor, b: Booking, token: string, now: number): Promise<void> {
    await this.outbox.enqueue(tx, b.id, 'confirmation', now, token);
    await this.scheduleReminder(tx, b, now);
  }

  changed(tx: SqlExecutor, b: Booking, now: number): Promise<void> {
    return this.scheduleReminder(tx, b, now);
  }

  async cancelled(tx: SqlExecutor, b: Booking, now: number): Promise<void> {
    await this.outbox.drop(tx, b.id, 'reminder');
    await this.outbox.enqueue(tx, b.id, 'cancellation', now, null);
  }

  private async scheduleReminder(tx: SqlExecutor, b: Booking, now: number): Promise<void> {
    const at = b.startAt - this.smtp.reminder_before_min * MINUTE_MS;
    // A booking made closer to its start than the reminder lead needs no reminder on top of the confirmation.
    if (at > now) await this.outbox.enqueue(tx, b.id, 'reminder', at, null);
    else await this.outbox.drop(tx, b.id, 'reminder');
  }

  /** Sends what is due (after the current turn); concurrent kicks share one run. */
  kick(): Promise<void> {
    if (this.transport === undefined) return Promise.resolve();
    this.running ??= new Promise<void>((r) => setImmediate(r))
      .then(() => this.sendDue())
      // Its callers do not wait (a booking's change listener): a database failure is logged, and the timer tries again.
      .catch((err: unknown) => this.log.error({ err }, 'sending booking e-mail failed'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async sendDue(): Promise<void> {
    const now = this.clock.now();
    for (let n = 0; n < PER_RUN && this.transport !== undefined; n++) {
      const row = await this.outbox.claimNext(now, now + LEASE_MS);
      if (row === undefined) return;
      const b = await this.store.byId(row.booking_id);
      // Purged or no longer relevant: marked done so it is not retried; nothing to send to.
      // A pending booking that lapsed before its link went out needs no mail either.
      const lapsed = b?.pendingUntil != null && b.status !== 'confirmed';
      if (b === undefined || b.email === null || lapsed || (row.kind === 'reminder' && b.status !== 'confirmed')) {
        await this.outbox.sent(row.id, now, 'skipped');
        continue;
      }
      try {
        await this.transport.sendMail(this.message(row, b, now));
      } catch (err) {
        const backoff = Math.min(3600_000, 30_000 * 2 ** row.attempts);
        const code = (err as { code?: string }).code ?? 'error';
        await this.outbox.failed(row.id, this.clock.now() + backoff, String(code).slice(0, 100));
        // The error message of an SMTP refusal may quote the recipient, so only its code is logged.
        this.log.warn({ booking_id: b.id, mail: row.kind, code, attempt: row.attempts + 1 }, 'booking e-mail failed');
        continue;
      }
      await this.outbox.sent(row.id, this.clock.now(), null);
      this.log.info({ booking_id: b.id, mail: row.kind }, 'booking e-mail sent');
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

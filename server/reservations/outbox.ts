import type { SqlExecutor } from '../core/storage/sql/port.ts';

export type MailKind = 'confirmation' | 'reminder' | 'cancellation';

/** One claimed mail; `attempts` counts the tries before this one. */
export interface MailRow {
  id: number;
  booking_id: number;
  kind: MailKind;
  link_token: string | null;
  attempts: number;
}

export const MAX_ATTEMPTS = 8;

/**
 * The next due mail, claimed in the same statement that finds it. On PostgreSQL `FOR UPDATE SKIP
 * LOCKED` (index reservation_mail_unsent) lets each instance's claim pass over a row another one is
 * claiming instead of waiting for it; a row claimed and committed meanwhile no longer matches the
 * WHERE, which PostgreSQL checks again on the locked row. On SQLite the statement runs under the
 * write lock, so two claims cannot interleave at all.
 */
function claimSql(engine: SqlExecutor['engine']): string {
  return `UPDATE reservation_mail SET claimed_until = $1, attempts = attempts + 1
    WHERE id = (SELECT id FROM reservation_mail WHERE sent_at IS NULL AND send_at <= $2
      AND attempts < ${MAX_ATTEMPTS} AND (claimed_until IS NULL OR claimed_until < $2)
      ORDER BY send_at, id LIMIT 1${engine === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''})
    RETURNING id, booking_id, kind, link_token, attempts`;
}

/**
 * The e-mail outbox table (reservation_mail). Rows are written in the booking's own transaction
 * (pass its handle); a sender claims a row with a lease before sending and marks it sent after, so
 * neither a restart nor a second server instance sends one mail twice.
 */
export class MailOutbox {
  private readonly claim: string;

  constructor(private readonly sql: SqlExecutor) {
    this.claim = claimSql(sql.engine);
  }

  /** Queues (or re-arms) the mail of `kind` for a booking; a new link token replaces the old. */
  async enqueue(tx: SqlExecutor, bookingId: number, kind: MailKind, sendAt: number, linkToken: string | null) {
    await tx.run(
      `INSERT INTO reservation_mail (booking_id, kind, send_at, link_token) VALUES ($1, $2, $3, $4)
       ON CONFLICT (booking_id, kind) DO UPDATE SET send_at = excluded.send_at, sent_at = NULL, attempts = 0,
       claimed_until = NULL, link_token = coalesce(excluded.link_token, reservation_mail.link_token)`,
      [bookingId, kind, sendAt, linkToken],
    );
  }

  /** Drops an unsent mail of `kind` (a reminder of a cancelled booking). */
  async drop(tx: SqlExecutor, bookingId: number, kind: MailKind): Promise<void> {
    await tx.run('DELETE FROM reservation_mail WHERE booking_id = $1 AND kind = $2 AND sent_at IS NULL', [
      bookingId,
      kind,
    ]);
  }

  /** Claims the next due mail until `leaseUntil`, or undefined when nothing is due. */
  async claimNext(now: number, leaseUntil: number): Promise<MailRow | undefined> {
    const row = await this.sql.one<MailRow>(this.claim, [leaseUntil, now]);
    return row === undefined ? undefined : { ...row, attempts: row.attempts - 1 };
  }

  /** Done: sent (`note` null) or skipped (`note` says why); the link token is no longer kept. */
  async sent(id: number, at: number, note: string | null): Promise<void> {
    await this.sql.run('UPDATE reservation_mail SET sent_at = $1, link_token = NULL, last_error = $2 WHERE id = $3', [
      at,
      note,
      id,
    ]);
  }

  /** A failed send: claimed until `retryAt`, which is when it is tried again. */
  async failed(id: number, retryAt: number, error: string): Promise<void> {
    await this.sql.run('UPDATE reservation_mail SET claimed_until = $1, last_error = $2 WHERE id = $3', [
      retryAt,
      error,
      id,
    ]);
  }
}

import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { AlertKind, Condition } from './types.ts';

/** One alert as stored (migration 0011). Times are epoch milliseconds. */
export interface AlertRow {
  alertId: number;
  key: string;
  kind: AlertKind;
  subject: string;
  detail: string | null;
  raisedAt: number;
  resolvedAt: number | null;
  raisedMailedAt: number | null;
  resolvedMailedAt: number | null;
}

interface DbRow {
  alert_id: number;
  alert_key: string;
  kind: AlertKind;
  subject: string;
  detail: string | null;
  raised_at: number;
  resolved_at: number | null;
  raised_mailed_at: number | null;
  resolved_mailed_at: number | null;
}

const fromDb = (r: DbRow): AlertRow => ({
  alertId: r.alert_id,
  key: r.alert_key,
  kind: r.kind,
  subject: r.subject,
  detail: r.detail,
  raisedAt: r.raised_at,
  resolvedAt: r.resolved_at,
  raisedMailedAt: r.raised_mailed_at,
  resolvedMailedAt: r.resolved_mailed_at,
});

const COLUMNS =
  'alert_id, alert_key, kind, subject, detail, raised_at, resolved_at, raised_mailed_at, resolved_mailed_at';

/** A digest this instance has claimed: it sends `news`, then keeps the claim or gives it back. */
export interface DigestClaim {
  digestId: number;
  at: number;
  news: AlertRow[];
  openCount: number;
}

/** Alerts and the digests that told staff about them. */
export class AlertStore {
  constructor(private readonly sql: SqlExecutor) {}

  async open(): Promise<AlertRow[]> {
    return this.rows(this.sql, `SELECT ${COLUMNS} FROM alerts WHERE resolved_at IS NULL ORDER BY raised_at, alert_id`);
  }

  /** Open alerts first, then those resolved since `resolvedSince`, newest first. */
  async listed(resolvedSince: number, limit = 500): Promise<AlertRow[]> {
    return this.rows(
      this.sql,
      `SELECT ${COLUMNS} FROM alerts WHERE resolved_at IS NULL OR resolved_at >= $1
       ORDER BY CASE WHEN resolved_at IS NULL THEN 0 ELSE 1 END, raised_at DESC, alert_id DESC LIMIT $2`,
      [resolvedSince, limit],
    );
  }

  /** Opens an alert unless one with its key is open already (raised by another instance, say); true when opened. */
  async raise(c: Condition, at: number): Promise<boolean> {
    const { changes } = await this.sql.run(
      `INSERT INTO alerts (alert_key, kind, subject, detail, raised_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (alert_key) WHERE resolved_at IS NULL DO NOTHING`,
      [c.key, c.kind, c.subject, c.detail, at],
    );
    return changes > 0;
  }

  /** Resolves the open alert of `key`; true when one was open. */
  async resolve(key: string, at: number): Promise<boolean> {
    const { changes } = await this.sql.run(
      'UPDATE alerts SET resolved_at = $1 WHERE alert_key = $2 AND resolved_at IS NULL',
      [at, key],
    );
    return changes > 0;
  }

  /** Raises and resolutions no digest has told staff about yet. */
  async unmailed(sql: SqlExecutor = this.sql): Promise<AlertRow[]> {
    return this.rows(
      sql,
      `SELECT ${COLUMNS} FROM alerts
       WHERE raised_mailed_at IS NULL OR (resolved_at IS NOT NULL AND resolved_mailed_at IS NULL)
       ORDER BY raised_at, alert_id`,
    );
  }

  async lastDigestAt(sql: SqlExecutor = this.sql): Promise<number | null> {
    return (await sql.one<{ at: number | null }>('SELECT max(sent_at) AS at FROM alert_digests'))!.at;
  }

  /**
   * Claims the digest due at `at`, before it is sent: undefined when one went out less than
   * `intervalMs` ago (from this instance or another) or there is no news. The claim marks the news
   * as mailed and records the digest in one transaction, so two instances sharing the database
   * never both send it: on SQLite BEGIN IMMEDIATE runs them one after the other, on PostgreSQL a
   * table lock does (READ COMMITTED alone would let both read the same last digest time).
   */
  async claimDigest(at: number, recipients: number, intervalMs: number): Promise<DigestClaim | undefined> {
    return this.sql.transaction(async (tx) => {
      if (tx.engine === 'postgres') await tx.exec('LOCK TABLE alert_digests IN SHARE ROW EXCLUSIVE MODE');
      const last = await this.lastDigestAt(tx);
      if (last !== null && at - last < intervalMs) return undefined;
      const news = await this.unmailed(tx);
      if (news.length === 0) return undefined;
      let raised = 0;
      let resolved = 0;
      for (const a of news) {
        if (a.raisedMailedAt === null)
          raised += (
            await tx.run('UPDATE alerts SET raised_mailed_at = $1 WHERE alert_id = $2 AND raised_mailed_at IS NULL', [
              at,
              a.alertId,
            ])
          ).changes;
        if (a.resolvedAt !== null && a.resolvedMailedAt === null)
          resolved += (
            await tx.run(
              `UPDATE alerts SET resolved_mailed_at = $1
               WHERE alert_id = $2 AND resolved_at IS NOT NULL AND resolved_mailed_at IS NULL`,
              [at, a.alertId],
            )
          ).changes;
      }
      const row = await tx.one<{ digest_id: number }>(
        'INSERT INTO alert_digests (sent_at, recipients, raised, resolved) VALUES ($1, $2, $3, $4) RETURNING digest_id',
        [at, recipients, raised, resolved],
      );
      const open = await tx.one<{ n: number }>('SELECT count(*) AS n FROM alerts WHERE resolved_at IS NULL');
      return { digestId: row!.digest_id, at, news, openCount: open!.n };
    });
  }

  /** Gives a claim back after the mail failed: its news counts as unsent again, and the interval as unused. */
  async releaseDigest(claim: DigestClaim): Promise<void> {
    await this.sql.transaction(async (tx) => {
      for (const a of claim.news) {
        await tx.run('UPDATE alerts SET raised_mailed_at = NULL WHERE alert_id = $1 AND raised_mailed_at = $2', [
          a.alertId,
          claim.at,
        ]);
        await tx.run('UPDATE alerts SET resolved_mailed_at = NULL WHERE alert_id = $1 AND resolved_mailed_at = $2', [
          a.alertId,
          claim.at,
        ]);
      }
      await tx.run('DELETE FROM alert_digests WHERE digest_id = $1', [claim.digestId]);
    });
  }

  /** Deletes alerts resolved, and digests sent, before `before`. */
  async purge(before: number): Promise<number> {
    await this.sql.run('DELETE FROM alert_digests WHERE sent_at < $1', [before]);
    return (await this.sql.run('DELETE FROM alerts WHERE resolved_at IS NOT NULL AND resolved_at < $1', [before]))
      .changes;
  }

  private async rows(sql: SqlExecutor, text: string, params?: unknown[]): Promise<AlertRow[]> {
    return (await sql.all<DbRow>(text, params)).map(fromDb);
  }
}

import type { Logger } from 'pino';
import { PeriodicTimer } from '../../kit/timer.ts';
import type { Clock } from '../core/clock.ts';
import type { MailSender } from '../core/mail/smtp.ts';
import type { Registry } from '../core/metrics/registry.ts';
import { AgentsStore } from '../core/storage/agents-store.ts';
import { CamerasStore } from '../core/storage/cameras-store.ts';
import { StateStore } from '../core/storage/state-store.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { AlertsConfig } from './config.ts';
import { composeDigest } from './digest.ts';
import { Hysteresis } from './hysteresis.ts';
import { AlertMetrics } from './metrics.ts';
import { evaluateRules } from './rules.ts';
import { AlertStore } from './store.ts';
import type { AlertKind } from './types.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface AlertMonitorDeps {
  sql: SqlExecutor;
  clock: Clock;
  log: Logger;
  registry: Registry;
  config: AlertsConfig;
  timezone: string;
  /** Slots kept free for a booking at `now`, as `camera/slot` (the reservations feature, through main). */
  held: (now: number) => Promise<ReadonlySet<string>>;
  /** Failed storage writes so far (the ingest metrics, through main). */
  storageErrors: () => number;
  /** Where the digest goes; undefined without an `smtp` section. */
  mail: MailSender | undefined;
}

/**
 * Looks at the stores every `evaluate_interval_s`, turns conditions into alerts through the
 * hysteresis, keeps them in the database and sends at most one digest per `digest_interval_min`.
 * The first news after a quiet interval goes out on the next evaluation; later news waits for the
 * interval.
 *
 * Several instances on one PostgreSQL each run a monitor with its own hysteresis. They see the same
 * stores, so they raise and resolve the same alerts: the open-key index keeps one row per alert, and
 * only the instance whose write changed a row logs and counts it. A digest is claimed in the
 * database before it is sent (AlertStore.claimDigest), so it goes out once, from one instance.
 */
export class AlertMonitor {
  readonly store: AlertStore;
  readonly metrics: AlertMetrics;
  private readonly hysteresis: Hysteresis;
  private readonly timer: PeriodicTimer;
  private readonly cameras: CamerasStore;
  private readonly agents: AgentsStore;
  private readonly states: StateStore;
  private lastStorageErrors: number | undefined;
  private sending: Promise<void> | undefined;
  private lastPurge = 0;
  /** After a failed send, the next attempt waits (a dead relay must not be hit every evaluation). */
  private retryAt = 0;

  constructor(private readonly d: AlertMonitorDeps) {
    this.store = new AlertStore(d.sql);
    this.cameras = new CamerasStore(d.sql);
    this.agents = new AgentsStore(d.sql);
    this.states = new StateStore(d.sql);
    const c = d.config;
    this.hysteresis = new Hysteresis({
      // A failed write is an event, not a state that lasts: raise it at once.
      raiseAfterMs: (kind) => (kind === 'storage_errors' ? 0 : c.raise_after_s * 1000),
      clearAfterMs: c.clear_after_s * 1000,
    });
    this.metrics = new AlertMetrics(d.registry, () => this.openByKind());
    this.timer = new PeriodicTimer(() => this.tick(), {
      everyMs: c.evaluate_interval_s * 1000,
      name: 'alert evaluation',
      log: d.log,
    });
  }

  async start(): Promise<void> {
    if (!this.d.config.enabled || this.timer.running) return;
    this.hysteresis.restore(await this.store.open());
    this.timer.start();
  }

  async stop(): Promise<void> {
    this.timer.stop();
    await this.sending;
    this.d.mail?.close();
  }

  /** One evaluation now (the timer calls it; tests may too). Resolves once a digest it started is sent. */
  async tick(): Promise<void> {
    const now = this.d.clock.now();
    const errors = this.d.storageErrors();
    const delta = this.lastStorageErrors === undefined ? 0 : errors - this.lastStorageErrors;
    this.lastStorageErrors = errors;
    const [cameras, agents, states, held] = await Promise.all([
      this.cameras.all(),
      this.agents.all(),
      this.states.all(),
      this.d.held(now),
    ]);
    const present = evaluateRules(
      {
        now,
        cameras,
        agents,
        states,
        held,
        storageErrors: Math.max(0, delta),
      },
      this.d.config.unknown_after_min * MINUTE_MS,
    );
    const step = this.hysteresis.step(now, present);
    for (const c of step.raised) {
      // Already open: raised by another instance sharing the database.
      if (!(await this.store.raise(c, now))) continue;
      this.metrics.raised.inc({ kind: c.kind });
      this.d.log.warn({ alert: c.key, detail: c.detail }, 'alert raised');
    }
    for (const c of step.cleared) {
      if (!(await this.store.resolve(c.key, now))) continue;
      this.metrics.resolved.inc({ kind: c.kind });
      this.d.log.info({ alert: c.key }, 'alert resolved');
    }
    if (now - this.lastPurge > DAY_MS / 24) {
      this.lastPurge = now;
      await this.store.purge(now - this.d.config.keep_resolved_days * DAY_MS);
    }
    await (this.sending ??= this.maybeDigest(now).finally(() => (this.sending = undefined)));
  }

  private async maybeDigest(now: number): Promise<void> {
    const { recipients, digest_interval_min: interval } = this.d.config;
    if (this.d.mail === undefined || recipients.length === 0 || now < this.retryAt) return;
    // Claimed before it is sent, so another instance cannot send it too. The price: a crash between
    // the claim and the send loses this digest's news (at most once, where sending first and then
    // recording meant a repeated mail after a crash, and two instances each mailing the same news).
    const claim = await this.store.claimDigest(now, recipients.length, interval * MINUTE_MS);
    if (claim === undefined) return;
    const { news } = claim;
    const message = composeDigest({
      news,
      openCount: claim.openCount,
      recipients,
      lang: this.d.config.language,
      tz: this.d.timezone,
      publicUrl: this.d.config.public_url,
    });
    try {
      await this.d.mail.send(message);
    } catch (err) {
      // Given back: the same news goes out with the next attempt (from this instance or another).
      this.retryAt = now + Math.min(interval, 5) * MINUTE_MS;
      await this.store
        .releaseDigest(claim)
        .catch((e: unknown) => this.d.log.error({ err: e }, 'alert digest claim could not be given back'));
      this.metrics.digests.inc({ result: 'failed' });
      this.d.log.error({ err }, 'alert digest could not be sent');
      return;
    }
    this.metrics.digests.inc({ result: 'sent' });
    this.d.log.info({ alerts: news.length, recipients: recipients.length }, 'alert digest sent');
  }

  private openByKind(): Map<AlertKind, number> {
    const m = new Map<AlertKind, number>();
    for (const key of this.hysteresis.openKeys) {
      const kind = key.slice(0, key.indexOf(':')) as AlertKind;
      m.set(kind, (m.get(kind) ?? 0) + 1);
    }
    return m;
  }
}

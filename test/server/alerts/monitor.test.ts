// The alert monitor under fake timers: hysteresis (raise after X, clear after Y), one digest per
// interval rather than a mail per flap, and resolution in the next digest. Real SQLite (the alert
// store's own test, store.test.ts, runs on both engines); the only stand-in is the mail sender,
// whose SMTP side the Chromium camera-wall test covers for real.
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Value } from 'typebox/value';
import { AlertsConfigSchema, type AlertsConfig } from '../../../server/alerts/config.ts';
import { AlertMonitor } from '../../../server/alerts/monitor.ts';
import { systemClock } from '../../../server/core/clock.ts';
import type { MailMessage, MailSender } from '../../../server/core/mail/smtp.ts';
import { Registry } from '../../../server/core/metrics/registry.ts';
import { openSqlDatabase } from '../../../server/core/storage/sql/open.ts';
import type { SqlDatabase } from '../../../server/core/storage/sql/port.ts';
import { tempDir } from '../support/config.ts';

const T0 = Date.parse('2026-12-04T08:00:00Z');
const S = 1000;
const MIN = 60 * S;

let tmp: ReturnType<typeof tempDir>;
let db: SqlDatabase;
let monitor: AlertMonitor | undefined;
let sent: MailMessage[];
let storageErrors = 0;

function config(raw: Partial<AlertsConfig> = {}): AlertsConfig {
  return Value.Default(AlertsConfigSchema, {
    recipients: ['duty@example.cz'],
    language: 'en',
    evaluate_interval_s: 1,
    raise_after_s: 5,
    clear_after_s: 10,
    digest_interval_min: 10,
    ...raw,
  }) as AlertsConfig;
}

/** A monitor on the test database; `send` may refuse (a relay that is down). */
async function build(raw: Partial<AlertsConfig> = {}, send?: MailSender['send']): Promise<AlertMonitor> {
  const mail: MailSender = {
    send: send ?? (async (m) => void sent.push(m)),
    close: () => {},
  };
  const m = new AlertMonitor({
    sql: db,
    clock: systemClock,
    log: pino({ level: 'silent' }),
    registry: new Registry(),
    config: config(raw),
    timezone: 'Europe/Prague',
    held: async () => new Set(),
    storageErrors: () => storageErrors,
    mail,
  });
  await m.start();
  return m;
}

async function start(raw: Partial<AlertsConfig> = {}): Promise<AlertMonitor> {
  return (monitor = await build(raw));
}

/** The camera's stream as the agent last reported it. */
async function stream(status: string): Promise<void> {
  await db.run(
    `UPDATE cameras SET agent_id = 'agent-1', stream_status = $1, health_at = $2 WHERE camera_id = 'cam-1'`,
    [status, Date.now()],
  );
}

const open = async () => (await monitor!.store.open()).map((a) => a.key);
const listed = () => monitor!.store.listed(0);

beforeEach(async () => {
  vi.useFakeTimers({ now: T0 });
  tmp = tempDir('volno-alerts-');
  db = await openSqlDatabase({ engine: 'sqlite', path: join(tmp.dir, 'volno.sqlite') });
  await db.run(`INSERT INTO cameras (camera_id, configured, first_seen_at) VALUES ('cam-1', 1, $1)`, [T0]);
  await db.run(
    `INSERT INTO agents (agent_id, status, status_at, restarts, seq_gaps, lost_messages, first_seen_at)
     VALUES ('agent-1', 'online', $1, 0, 0, 0, $1)`,
    [T0],
  );
  sent = [];
  storageErrors = 0;
});
afterEach(async () => {
  await monitor?.stop();
  monitor = undefined;
  vi.useRealTimers();
  await db.close();
  tmp.cleanup();
});

describe('alert hysteresis and digests', () => {
  it('raises a camera that stays down only after raise_after_s, and mails it once', async () => {
    await start();
    await stream('down');
    await vi.advanceTimersByTimeAsync(4 * S);
    expect(await open()).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * S);
    expect(await open()).toEqual(['camera_down:cam-1']);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual(['duty@example.cz']);
    expect(sent[0]!.subject).toBe('Volno: 1 new, 0 resolved alerts');
    expect(sent[0]!.text).toContain('Camera down: cam-1');
  });

  it('never raises a condition that goes away within raise_after_s', async () => {
    await start();
    for (let i = 0; i < 5; i++) {
      await stream('down');
      await vi.advanceTimersByTimeAsync(3 * S);
      await stream('ok');
      await vi.advanceTimersByTimeAsync(2 * S);
    }
    expect(await open()).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('keeps a flapping camera as one alert, and resolves it only after clear_after_s without the condition', async () => {
    await start();
    await stream('down');
    await vi.advanceTimersByTimeAsync(6 * S);
    expect(await open()).toEqual(['camera_down:cam-1']);
    // Back for 8 s at a time (under clear_after_s = 10), down again: still the same one alert.
    for (let i = 0; i < 3; i++) {
      await stream('ok');
      await vi.advanceTimersByTimeAsync(8 * S);
      await stream('down');
      await vi.advanceTimersByTimeAsync(2 * S);
    }
    expect(await listed()).toHaveLength(1);
    expect(await open()).toEqual(['camera_down:cam-1']);
    await stream('ok');
    await vi.advanceTimersByTimeAsync(9 * S);
    expect(await open()).toEqual(['camera_down:cam-1']);
    await vi.advanceTimersByTimeAsync(2 * S);
    expect(await open()).toEqual([]);
    expect(monitor!.metrics.raised.get({ kind: 'camera_down' })).toBe(1);
    expect(monitor!.metrics.resolved.get({ kind: 'camera_down' })).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('puts the resolution in the next digest, one interval after the last', async () => {
    await start();
    await stream('down');
    await vi.advanceTimersByTimeAsync(6 * S);
    expect(sent).toHaveLength(1);
    await stream('ok');
    await vi.advanceTimersByTimeAsync(11 * S);
    expect(await open()).toEqual([]);
    const resolved = (await listed())[0]!;
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.resolvedMailedAt).toBeNull();
    // Nothing more until ten minutes after the first digest.
    await vi.advanceTimersByTimeAsync(10 * MIN - 20 * S);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10 * S);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.subject).toBe('Volno: 0 new, 1 resolved alerts');
    expect(sent[1]!.text).toMatch(
      /Resolved:\n- Camera down: cam-1 \(down\), resolved 2026-12-04 09:00 \(since 2026-12-04 09:00\)/,
    );
    expect((await listed())[0]!.resolvedMailedAt).not.toBeNull();
  });

  it('collects several alerts of one interval into one digest', async () => {
    await start({ digest_interval_min: 5 });
    await stream('down');
    await vi.advanceTimersByTimeAsync(6 * S);
    await db.run(`UPDATE agents SET status = 'offline'`);
    await db.run(
      `INSERT INTO agents (agent_id, status, status_at, restarts, seq_gaps, lost_messages, first_seen_at)
      VALUES ('agent-2', 'silent', $1, 0, 0, 0, $1)`,
      [T0],
    );
    storageErrors = 3;
    await vi.advanceTimersByTimeAsync(6 * S);
    expect((await open()).sort()).toEqual([
      'agent_offline:agent-1',
      'agent_offline:agent-2',
      'camera_down:cam-1',
      'storage_errors:server',
    ]);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(sent).toHaveLength(2);
    // Storage errors are an event: raised at once, resolved ten quiet seconds later. The camera's
    // own alert is explained by its agent going offline, so it resolves too.
    expect(sent[1]!.subject).toBe('Volno: 2 new, 2 resolved alerts');
    expect(sent[1]!.text).toContain('Storage errors: server (3 failed writes)');
  });

  it('restores open alerts after a restart without raising or mailing them again', async () => {
    await start();
    await stream('down');
    await vi.advanceTimersByTimeAsync(6 * S);
    await monitor!.stop();
    await start();
    await vi.advanceTimersByTimeAsync(20 * MIN);
    expect(await open()).toEqual(['camera_down:cam-1']);
    expect(await listed()).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  it('with two instances on one database, raises each alert once and sends each digest once', async () => {
    await start();
    const other = await build();
    try {
      await stream('down');
      await vi.advanceTimersByTimeAsync(6 * S);
      expect(await open()).toEqual(['camera_down:cam-1']);
      // Both saw the camera down and both raised it; the row, the count and the mail are one.
      const raised = [monitor!, other].map((m) => m.metrics.raised.get({ kind: 'camera_down' }));
      expect(raised.sort()).toEqual([0, 1]);
      expect(sent).toHaveLength(1);
      await stream('ok');
      await vi.advanceTimersByTimeAsync(10 * MIN);
      expect(sent).toHaveLength(2);
      expect(sent[1]!.subject).toBe('Volno: 0 new, 1 resolved alerts');
    } finally {
      await other.stop();
    }
  });

  it('gives a digest back when the mail fails, so the news goes out with a later one', async () => {
    let refuse = true;
    monitor = await build({}, async (m) => {
      if (refuse) throw new Error('relay down');
      sent.push(m);
    });
    await stream('down');
    await vi.advanceTimersByTimeAsync(6 * S);
    expect(monitor.metrics.digests.get({ result: 'failed' })).toBe(1);
    expect((await listed())[0]!.raisedMailedAt).toBeNull();
    refuse = false;
    // The retry waits min(interval, 5 min), not the whole digest interval: nothing was sent.
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toBe('Volno: 1 new, 0 resolved alerts');
  });
});

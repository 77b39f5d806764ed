// The alert monitor under fake timers: hysteresis (raise after X, clear after Y), one digest per
// interval rather than a mail per flap, and resolution in the next digest. Real SQLite; the only
// stand-in is the mail sender, whose SMTP side the Chromium camera-wall test covers for real.
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Value } from 'typebox/value';
import type { Database } from 'better-sqlite3';
import { AlertsConfigSchema, type AlertsConfig } from '../../../server/alerts/config.ts';
import { AlertMonitor } from '../../../server/alerts/monitor.ts';
import { systemClock } from '../../../server/core/clock.ts';
import type { MailMessage, MailSender } from '../../../server/core/mail/smtp.ts';
import { Registry } from '../../../server/core/metrics/registry.ts';
import { openDatabase } from '../../../server/core/storage/database.ts';
import { tempDir } from '../support/config.ts';

const T0 = Date.parse('2026-12-04T08:00:00Z');
const S = 1000;
const MIN = 60 * S;

let tmp: ReturnType<typeof tempDir>;
let db: Database;
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

function start(raw: Partial<AlertsConfig> = {}): AlertMonitor {
  const mail: MailSender = {
    send: async (m) => void sent.push(m),
    close: () => {},
  };
  monitor = new AlertMonitor({
    db,
    clock: systemClock,
    log: pino({ level: 'silent' }),
    registry: new Registry(),
    config: config(raw),
    timezone: 'Europe/Prague',
    held: () => new Set(),
    storageErrors: () => storageErrors,
    mail,
  });
  monitor.start();
  return monitor;
}

/** The camera's stream as the agent last reported it. */
function stream(status: string): void {
  db.prepare(`UPDATE cameras SET agent_id = 'agent-1', stream_status = ?, health_at = ? WHERE camera_id = 'cam-1'`).run(
    status,
    Date.now(),
  );
}

const open = () => monitor!.store.open().map((a) => a.key);

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  tmp = tempDir('volno-alerts-');
  db = openDatabase(join(tmp.dir, 'volno.sqlite'));
  db.prepare(`INSERT INTO cameras (camera_id, configured, first_seen_at) VALUES ('cam-1', 1, ?)`).run(T0);
  db.prepare(
    `INSERT INTO agents (agent_id, status, status_at, restarts, seq_gaps, lost_messages, first_seen_at)
     VALUES ('agent-1', 'online', ?, 0, 0, 0, ?)`,
  ).run(T0, T0);
  sent = [];
  storageErrors = 0;
});
afterEach(async () => {
  await monitor?.stop();
  monitor = undefined;
  vi.useRealTimers();
  db.close();
  tmp.cleanup();
});

describe('alert hysteresis and digests', () => {
  it('raises a camera that stays down only after raise_after_s, and mails it once', async () => {
    start();
    stream('down');
    await vi.advanceTimersByTimeAsync(4 * S);
    expect(open()).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * S);
    expect(open()).toEqual(['camera_down:cam-1']);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toEqual(['duty@example.cz']);
    expect(sent[0]!.subject).toBe('Volno: 1 new, 0 resolved alerts');
    expect(sent[0]!.text).toContain('Camera down: cam-1');
  });

  it('never raises a condition that goes away within raise_after_s', async () => {
    start();
    for (let i = 0; i < 5; i++) {
      stream('down');
      await vi.advanceTimersByTimeAsync(3 * S);
      stream('ok');
      await vi.advanceTimersByTimeAsync(2 * S);
    }
    expect(open()).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('keeps a flapping camera as one alert, and resolves it only after clear_after_s without the condition', async () => {
    start();
    stream('down');
    await vi.advanceTimersByTimeAsync(6 * S);
    expect(open()).toEqual(['camera_down:cam-1']);
    // Back for 8 s at a time (under clear_after_s = 10), down again: still the same one alert.
    for (let i = 0; i < 3; i++) {
      stream('ok');
      await vi.advanceTimersByTimeAsync(8 * S);
      stream('down');
      await vi.advanceTimersByTimeAsync(2 * S);
    }
    expect(monitor!.store.listed(0)).toHaveLength(1);
    expect(open()).toEqual(['camera_down:cam-1']);
    stream('ok');
    await vi.advanceTimersByTimeAsync(9 * S);
    expect(open()).toEqual(['camera_down:cam-1']);
    await vi.advanceTimersByTimeAsync(2 * S);
    expect(open()).toEqual([]);
    expect(monitor!.metrics.raised.get({ kind: 'camera_down' })).toBe(1);
    expect(monitor!.metrics.resolved.get({ kind: 'camera_down' })).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('puts the resolution in the next digest, one interval after the last', async () => {
    start();
    stream('down');
    await vi.advanceTimersByTimeAsync(6 * S);
    expect(sent).toHaveLength(1);
    stream('ok');
    await vi.advanceTimersByTimeAsync(11 * S);
    expect(open()).toEqual([]);
    const resolved = monitor!.store.listed(0)[0]!;
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
    expect(monitor!.store.listed(0)[0]!.resolvedMailedAt).not.toBeNull();
  });

  it('collects several alerts of one interval into one digest', async () => {
    start({ digest_interval_min: 5 });
    stream('down');
    await vi.advanceTimersByTimeAsync(6 * S);
    db.prepare(`UPDATE agents SET status = 'offline'`).run();
    db.prepare(
      `INSERT INTO agents (agent_id, status, status_at, restarts, seq_gaps, lost_messages, first_seen_at)
      VALUES ('agent-2', 'silent', ?, 0, 0, 0, ?)`,
    ).run(T0, T0);
    storageErrors = 3;
    await vi.advanceTimersByTimeAsync(6 * S);
    expect(open().sort()).toEqual([
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
    start();
    stream('down');
    await vi.advanceTimersByTimeAsync(6 * S);
    await monitor!.stop();
    start();
    await vi.advanceTimersByTimeAsync(20 * MIN);
    expect(open()).toEqual(['camera_down:cam-1']);
    expect(monitor!.store.listed(0)).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });
});

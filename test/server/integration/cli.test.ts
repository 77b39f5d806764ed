import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RingBuffer, captureOutput, stopChild, track, waitFor } from '../../fixtures/process.ts';
import { LOTS, onPostgres, TEST_ENGINE, tempDir, testStorage } from '../support/config.ts';
import { FakeAgent, SITE } from '../support/messages.ts';
import { publisher } from '../support/server.ts';
import { runVolno, VOLNO_BIN } from '../support/volno-cli.ts';

let tmp: ReturnType<typeof tempDir>;
let child: ChildProcess | undefined;

beforeEach(() => (tmp = tempDir('volno-cli-')));
afterEach(async () => {
  if (child) await stopChild(child);
  child = undefined;
  tmp.cleanup();
});

/** A config file on the engine of the run (the data directory given by --data is tmp/data). */
function writeConfig(extra: Record<string, unknown> = {}): string {
  const file = join(tmp.dir, 'volno.json');
  const storage = testStorage(join(tmp.dir, 'data'));
  writeFileSync(
    file,
    JSON.stringify({ site: SITE, lots: LOTS, log_level: 'info', ...(storage && { storage }), ...extra }),
  );
  return file;
}

describe('volno server as a process', () => {
  it('starts with flags overriding the config, ingests, answers, backs up online, and stops cleanly on SIGTERM', async () => {
    const config = writeConfig({ http: { port: 1 }, mqtt: { embedded: { port: 1 } } });
    const logs = new RingBuffer();
    child = spawn(
      process.execPath,
      [VOLNO_BIN, 'server', '--config', config, '--port', '0', '--mqtt-port', '0', '--data', join(tmp.dir, 'data')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    track(child);
    captureOutput(child, logs);
    const ready = await waitFor(
      () => {
        const line = logs
          .toString()
          .split('\n')
          .find((l) => l.includes('"volno server ready"'));
        return line === undefined
          ? undefined
          : (JSON.parse(line) as { http_url: string; mqtt_url: string; data_dir: string });
      },
      { timeoutMs: 30_000, what: `the server to start\n${logs.toString()}` },
    );
    expect(ready.data_dir).toBe(join(tmp.dir, 'data'));
    expect(((await (await fetch(`${ready.http_url}/healthz`)).json()) as { status: string }).status).toBe('ok');

    const pub = await publisher(ready.mqtt_url);
    const m = new FakeAgent().slotState('north-1', 'A1', 'free');
    await pub.publishAsync(m.topic, m.payload, { qos: 1, retain: true });
    await pub.endAsync();
    await waitFor(
      async () =>
        ((await (await fetch(`${ready.http_url}/api/v1/lots/north/availability`)).json()) as { free: number }).free ===
        1,
      {
        timeoutMs: 5000,
        what: 'the state in the API',
      },
    );

    // Which database, never a password (there is none here), in the start log.
    expect(logs.toString()).toMatch(new RegExp(`"storage":\\{"engine":"${TEST_ENGINE}"`));
    const backup = join(tmp.dir, 'backup.sqlite');
    const b = await runVolno(['backup', backup, '--config', config, '--data', join(tmp.dir, 'data')]);
    if (onPostgres) {
      // PostgreSQL's own tool takes its backups; volno backup says so instead of copying something else.
      expect(b.status).toBe(1);
      expect(b.stderr).toContain('pg_dump');
    } else {
      expect(b.status, b.stderr).toBe(0);
      expect(JSON.parse(b.stdout)).toMatchObject({ file: backup });
      const copy = new BetterSqlite3(backup, { readonly: true });
      expect(copy.prepare("SELECT state FROM slot_state WHERE slot_id = 'A1'").pluck().get()).toBe('free');
      copy.close();
    }

    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs.toString()).toContain('"server closing"');
  });

  it('checks a config with --validate-config: path: message lines and exit 2 when bad, exit 0 when good', async () => {
    const bad = writeConfig({ http: { port: 'eighty' }, lotz: [] });
    const good = join(tmp.dir, 'good.json');
    writeFileSync(good, JSON.stringify({ site: SITE, lots: LOTS }));
    // Both at once: each process start compiles the CLI through tsx, which is the slow part.
    const [r, ok] = await Promise.all([
      runVolno(['server', '--config', bad, '--validate-config']),
      runVolno(['server', '--config', good, '--validate-config']),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('VOLNO_CONFIG_INVALID');
    expect(r.stderr).toContain('  /: unknown property "lotz"');
    expect(r.stderr).toContain('  /http/port: must be integer');
    expect(ok.stdout.trim()).toBe('configuration is valid');
    expect(ok.status).toBe(0);
  });
});

// (5) Backup and restore as docs/deployment.md tells an operator: `volno backup` of the live
// server's database (as volno-backup.service runs it), then the restore steps, then the server
// starts on the copy with the same state.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { track, waitFor } from '../fixtures/process.ts';
import { FakeAgent } from '../server/support/messages.ts';
import { startDeployBroker, type DeployBroker } from './support/broker.ts';
import { makeSite, repoFile, rewritePaths, unitKey, type Site } from './support/install.ts';
import { connect, startSiteServer } from './support/server.ts';

let site: Site;
let broker: DeployBroker;
const open: { close(): Promise<unknown> }[] = [];

beforeAll(async () => {
  site = makeSite();
  broker = await startDeployBroker(site.brokerDir, {
    username: 'volno-server',
    password: site.env.VOLNO_MQTT_PASSWORD,
  });
});
afterAll(async () => {
  for (const o of open.reverse()) await o.close().catch(() => {});
  await broker?.stop();
  site?.cleanup();
});

type Slot = { slot_id: string; state: string; since: string | null; observed_at: string | null };
async function slots(app: FastifyInstance): Promise<Slot[]> {
  const out: Slot[] = [];
  for (const lot of ['north', 'south']) {
    const body = (await app.inject({ url: `/api/v1/lots/${lot}/slots` })).json() as { slots: Slot[] };
    out.push(...body.slots.map(({ slot_id, state, since, observed_at }) => ({ slot_id, state, since, observed_at })));
  }
  return out;
}

/**
 * The backup as volno-backup.service runs it: its ExecStart (`volno backup` into
 * /var/lib/volno-backups with a timestamped name) and ExecStartPost (pruning), paths rendered into
 * the temp root, through /bin/sh like systemd's `sh -c` line. The docs' manual command is the same call.
 */
async function backupUnit(cwd: string): Promise<{ line: string; status: number | null; stderr: string }[]> {
  const unit = rewritePaths(readFileSync(repoFile('deploy/systemd/volno-backup.service'), 'utf8'), site.root);
  const results = [];
  for (const line of [...unitKey(unit, 'ExecStart'), ...unitKey(unit, 'ExecStartPost')]) {
    const p = spawn('/bin/sh', ['-c', line], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    track(p);
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve) => p.once('close', resolve));
    results.push({ line, status, stderr });
  }
  return results;
}

async function publishAll(client: MqttClient, msgs: { topic: string; payload: string }[]): Promise<void> {
  // Not retained: after the restore nothing from the broker may touch the restored state.
  for (const m of msgs) await client.publishAsync(m.topic, m.payload, { qos: 1, retain: false });
}

describe('backup and restore (docs/deployment.md)', () => {
  it('backs up the live database and a server started on the restored copy shows the same state', async () => {
    const dataDir = join(site.root, 'var/lib/volno');
    const first = (await startSiteServer(site, broker.plainUrl)).app;
    open.push(first);
    const auth = site.credentials('volno-edge-krajsky-urad-agent-1');
    const a = await connect(broker.plainUrl, {
      username: auth['VOLNO_MQTT_USERNAME']!,
      password: auth['VOLNO_MQTT_PASSWORD']!,
      clientId: 'agent-1',
    });
    open.push({ close: () => a.endAsync() });
    const agent = new FakeAgent('agent-1', 'session-backup');
    await publishAll(a, [
      agent.availability('online'),
      agent.slotState('north-1', 'A01', 'occupied'),
      agent.slotState('north-1', 'A02', 'free'),
      agent.slotState('north-2', 'B01', 'occupied'),
    ]);
    await waitFor(async () => (await slots(first)).filter((s) => s.state !== 'unknown').length === 3, {
      timeoutMs: 10_000,
      what: 'three states ingested',
    });
    await first.volno.writer.flush();
    const before = await slots(first);

    // Online: the server keeps running (and would keep writing) while the copy is taken.
    const backups = join(site.root, 'var/lib/volno-backups'); // the unit's second StateDirectory
    mkdirSync(backups);
    const cwd = mkdtempSync(join(site.root, 'cwd-')); // ExecStartPost's unquoted glob must not expand
    for (const r of await backupUnit(cwd)) expect(r).toEqual({ line: r.line, status: 0, stderr: '' });
    const copies = readdirSync(backups);
    expect(copies).toEqual([expect.stringMatching(/^volno-\d{8}T\d{6}Z\.sqlite$/)]);
    const file = join(backups, copies[0]!);

    // Written after the backup: the restore must not contain it.
    await publishAll(a, [agent.slotState('north-1', 'A01', 'free')]);
    await waitFor(async () => (await slots(first)).find((s) => s.slot_id === 'A01')?.state === 'free', {
      timeoutMs: 10_000,
      what: 'the later change',
    });
    await first.close();

    // The docs' check before restoring.
    const check = new BetterSqlite3(file, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();

    // The docs' restore: keep the old files aside, put the copy in place, drop the old WAL and shm.
    const aside = join(site.root, 'var/lib/volno-before-restore');
    mkdirSync(aside);
    for (const f of ['volno.sqlite', 'volno.sqlite-wal', 'volno.sqlite-shm'])
      if (existsSync(join(dataDir, f))) renameSync(join(dataDir, f), join(aside, f));
    copyFileSync(file, join(dataDir, 'volno.sqlite'));

    const second = (await startSiteServer(site, broker.plainUrl)).app;
    open.push(second);
    expect(await slots(second)).toEqual(before);
    // And it carries on ingesting.
    await publishAll(a, [agent.slotState('north-1', 'A03', 'occupied')]);
    await waitFor(async () => (await slots(second)).find((s) => s.slot_id === 'A03')?.state === 'occupied', {
      timeoutMs: 10_000,
      what: 'ingest after the restore',
    });
  });
});

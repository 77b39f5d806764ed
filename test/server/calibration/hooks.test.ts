// What ingest's calibration hooks do inside the writer's transaction, on both engines: an `applied`
// acknowledgement moves the slot catalog and is announced only after ingest's commit; a hook that
// fails rolls back only its own writes (on PostgreSQL a failed statement would otherwise abort the
// whole batch) and is counted.
import pino from 'pino';
import { Value } from 'typebox/value';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { CalibrationAckPayload } from '../../../protocol/index.ts';
import { CalibrationConfigSchema } from '../../../server/calibration/config.ts';
import { CalibrationService } from '../../../server/calibration/service.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import { EventBus } from '../../../server/core/events.ts';
import { Registry } from '../../../server/core/metrics/registry.ts';
import type { MqttConnection } from '../../../server/core/mqtt/connection.ts';
import { Catalog } from '../../../server/core/storage/catalog.ts';
import { useEngines } from '../../support/engines.ts';
import { doc, slot } from './support.ts';

const CAMERA = 'north-1';
const log = pino({ level: 'silent' });

const ack = (version: number, result: string): CalibrationAckPayload => ({
  agent_id: 'agent-1',
  session_id: 'session-aaaaaaaa',
  seq: 1,
  sent_at: '2026-12-01T08:00:00.000Z',
  camera_id: CAMERA,
  version,
  result: result as CalibrationAckPayload['result'],
});

describe.each(useEngines())('calibration hooks in the ingest transaction on $engine', ({ available, open }) => {
  async function setup() {
    const sql = await open();
    await sql.run("INSERT INTO lots (lot_id, name) VALUES ('north', 'North')");
    await sql.run("INSERT INTO cameras (camera_id, lot_id, configured) VALUES ($1, 'north', 1)", [CAMERA]);
    await sql.run(
      "INSERT INTO slots (camera_id, slot_id, lot_id, label, type, configured) VALUES ($1, 'A1', 'north', 'A1', 'standard', 1)",
      [CAMERA],
    );
    const catalog = new Catalog(sql);
    await catalog.refresh();
    const bus = new EventBus(log);
    const announced: (string | null)[][] = [];
    bus.on('lots.changed', (e) => announced.push([...e.lots]));
    const registry = new Registry();
    const service = new CalibrationService({
      sql,
      catalog,
      // No broker: these tests never publish, and start() only waits for a connection.
      mqtt: { connected: false, onConnected: () => {} } as unknown as MqttConnection,
      clock: new ManualClock(1),
      log,
      site: 'test',
      prefix: 'volno',
      options: Value.Default(CalibrationConfigSchema, {}) as never,
      registry,
      bus,
    });
    await service.start();
    onTestFinished(() => service.stop());
    const saved = await service.versions.add(CAMERA, doc([slot('V1', 0.1, 0.1), slot('V2', 0.5, 0.1)]), {
      author: 'olga',
      note: '',
      at: 1,
    });
    await service.versions.markPublished(CAMERA, 1, 'olga', 2, 'a'.repeat(64));
    expect(saved).toEqual({ version: 1 });
    return { sql, catalog, bus, announced, registry, service };
  }

  it.skipIf(!available)('moves the catalog on an applied ack and announces it after the commit', async () => {
    const { sql, catalog, bus, announced, service } = await setup();
    await sql.transaction((tx) => service.calibrationAck(ack(1, 'applied'), tx));
    expect(catalog.slotsOf('north').map((s) => s.slotId)).toEqual(['V1', 'V2']);
    const rows = await sql.all('SELECT slot_id, configured FROM slots WHERE camera_id = $1 ORDER BY slot_id', [CAMERA]);
    expect(rows).toEqual([
      { slot_id: 'A1', configured: 0 },
      { slot_id: 'V1', configured: 1 },
      { slot_id: 'V2', configured: 1 },
    ]);
    expect(announced).toEqual([]);
    bus.emit('ingest.committed', { lots: new Set(), health: true });
    expect(announced).toEqual([['north']]);
    expect((await service.versions.get(CAMERA, 1))?.ack).toMatchObject({ result: 'applied' });
  });

  it.skipIf(!available)('rolls back only a failing hook, counts it, and the batch goes on', async () => {
    const { sql, registry, service } = await setup();
    await sql.transaction(async (tx) => {
      // Not a result the schema allows: the UPDATE fails on its CHECK constraint.
      await service.calibrationAck(ack(1, 'bogus'), tx);
      await tx.run("UPDATE cameras SET name = 'still writing' WHERE camera_id = $1", [CAMERA]);
    });
    expect(registry.render()).toContain('volno_calibration_hook_errors_total{hook="ack"} 1');
    expect(await sql.one('SELECT name FROM cameras WHERE camera_id = $1', [CAMERA])).toEqual({ name: 'still writing' });
    expect((await service.versions.get(CAMERA, 1))?.ack).toBeNull();
  });
});

// The stores ingest writes through (server/core/storage/{agents,state,cameras}-store.ts), on both
// engines: what goes in comes back the same, and a replay never overwrites newer camera health.
import { describe, expect, it } from 'vitest';
import { AgentsStore, type AgentRow } from '../../../server/core/storage/agents-store.ts';
import { CamerasStore } from '../../../server/core/storage/cameras-store.ts';
import { StateStore, type SlotStateRow } from '../../../server/core/storage/state-store.ts';
import { useEngines } from '../../support/engines.ts';

const engines = useEngines();

const T = 1_765_000_000_000;

function agent(o: Partial<AgentRow> = {}): AgentRow {
  return {
    agentId: 'agent-1',
    sessionId: 'session-a',
    sessionStartedAt: T,
    connectionSeq: 3,
    status: 'online',
    statusAt: T,
    lastSeenAt: T + 5,
    lastSeq: 41,
    heartbeatIntervalS: 15,
    uptimeS: 100.5,
    version: '0.1.0',
    mqttQueueDepth: 2,
    processCpuPercent: 12.5,
    processRssBytes: 120_000_000,
    processHeapUsedBytes: 40_000_000,
    restarts: 1,
    seqGaps: 2,
    lostMessages: 7,
    firstSeenAt: T - 1000,
    ...o,
  };
}

function state(o: Partial<SlotStateRow> = {}): SlotStateRow {
  return {
    cameraId: 'cam-1',
    slotId: 'A1',
    state: 'occupied',
    reason: null,
    confidence: 0.95,
    since: T,
    observedAt: T + 10,
    receivedAt: T + 11,
    agentId: 'agent-1',
    sessionId: 'session-a',
    seq: 5,
    modelId: 'volno-slotnet-v1',
    calibrationVersion: 2,
    source: 'agent',
    ...o,
  };
}

describe.each(engines)('ingest stores on $engine', ({ available, open }) => {
  it.skipIf(!available)(
    'agents: an upserted row reads back field for field, and only live ones count as alive',
    async () => {
      const sql = await open();
      const agents = new AgentsStore(sql);
      await agents.put(agent());
      await agents.put(agent({ agentId: 'agent-2', status: 'offline', processCpuPercent: null }));
      expect(await agents.get('agent-1')).toEqual(agent());
      await agents.put(agent({ restarts: 2, status: 'silent' }));
      expect(await agents.get('agent-1')).toMatchObject({ restarts: 2, status: 'silent' });
      expect((await agents.all()).map((a) => a.agentId)).toEqual(['agent-1', 'agent-2']);
      expect(await agents.alive()).toEqual([]);
      expect(await agents.get('nobody')).toBeUndefined();
    },
  );

  it.skipIf(!available)(
    'agents: a batch gets a fresh row for a new agent and keeps an existing one untouched',
    async () => {
      const sql = await open();
      await new AgentsStore(sql).put(agent({ status: 'offline' }));
      await new AgentsStore(sql).put(agent({ agentId: 'agent-9', status: 'unknown' }));
      const rows = await sql.transaction((tx) =>
        new AgentsStore(tx).lockForBatch(
          new Map([
            ['agent-3', T + 50],
            ['agent-1', T + 60],
          ]),
          true,
        ),
      );
      expect(rows.map((r) => [r.agentId, r.status])).toEqual([
        ['agent-1', 'offline'],
        ['agent-3', 'unknown'],
        ['agent-9', 'unknown'],
      ]);
      expect(rows[0]).toEqual(agent({ status: 'offline' }));
      expect(rows[1]).toMatchObject({ sessionId: null, restarts: 0, statusAt: T + 50, firstSeenAt: T + 50 });
    },
  );

  it.skipIf(!available)(
    'slot states: upsert, history, the cameras read and the agent’s not-yet-offline slots',
    async () => {
      const sql = await open();
      const states = new StateStore(sql);
      await states.put(state());
      await states.put(state({ slotId: 'A2', state: 'unknown', source: 'server', reason: 'agent_offline' }));
      await states.put(state({ cameraId: 'cam-2', slotId: 'B1', agentId: 'agent-2', seq: null, modelId: null }));
      expect(await states.get('cam-1', 'A1')).toEqual(state());
      await states.put(state({ state: 'free', observedAt: T + 20 }));
      expect(await states.get('cam-1', 'A1')).toMatchObject({ state: 'free', observedAt: T + 20 });
      expect((await states.ofCameras(['cam-1'])).map((r) => r.slotId)).toEqual(['A1', 'A2']);
      expect((await states.all()).map((r) => `${r.cameraId}/${r.slotId}`)).toEqual([
        'cam-1/A1',
        'cam-1/A2',
        'cam-2/B1',
      ]);
      expect((await states.notYetOfflineOf('agent-1')).map((r) => r.slotId)).toEqual(['A1']);
      const locked = await sql.transaction((tx) => new StateStore(tx).ofCameras(['cam-2'], { forUpdate: true }));
      expect(locked).toEqual([
        state({ cameraId: 'cam-2', slotId: 'B1', agentId: 'agent-2', seq: null, modelId: null }),
      ]);
      await states.addTransition({
        cameraId: 'cam-1',
        slotId: 'A1',
        lotId: null,
        fromState: null,
        toState: 'free',
        reason: null,
        at: T,
        recordedAt: T + 1,
        source: 'agent',
      });
      expect(await sql.all('SELECT lot_id, from_state, to_state, at FROM transitions')).toEqual([
        { lot_id: null, from_state: null, to_state: 'free', at: T },
      ]);
    },
  );

  it.skipIf(!available)(
    'cameras: health, summary, stats and acks read back, and an older report changes nothing',
    async () => {
      const sql = await open();
      await sql.run(`INSERT INTO cameras (camera_id, configured, first_seen_at) VALUES ('cam-1', 0, $1)`, [T]);
      const cameras = new CamerasStore(sql);
      const health = { cameraId: 'cam-1', agentId: 'agent-1', status: 'ok', detail: null, lastFrameAt: T, fps: 1.5 };
      await cameras.putSummary({
        ...health,
        at: T + 10,
        free: 3,
        occupied: 1,
        unknown: 0,
        total: 4,
        calibrationVersion: 2,
      });
      await cameras.putHealth({ ...health, status: 'down', at: T + 5 }); // older: ignored
      await cameras.putStats('cam-1', { frames: 10, window_s: 60 }, T + 10);
      await cameras.putStats('cam-1', { frames: 1 }, T + 9); // older: ignored
      await cameras.putCalibrationAck('cam-1', 2, 'applied', null, T + 12);
      expect(await cameras.all()).toEqual([
        {
          cameraId: 'cam-1',
          lotId: null,
          name: null,
          configured: false,
          agentId: 'agent-1',
          streamStatus: 'ok',
          streamDetail: null,
          lastFrameAt: T,
          fps: 1.5,
          healthAt: T + 10,
          calibrationVersion: 2,
          summary: { free: 3, occupied: 1, unknown: 0, total: 4, at: T + 10 },
          stats: { frames: 10, window_s: 60 },
          statsAt: T + 10,
          calibrationAck: { version: 2, result: 'applied', reason: null, at: T + 12 },
        },
      ]);
    },
  );
});

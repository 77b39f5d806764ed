import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTopic } from '../../../protocol/index.ts';
import { ingestHarness, type Harness } from '../support/ingest-harness.ts';
import { FakeAgent, PREFIX, SITE } from '../support/messages.ts';

let h: Harness;
let agent: FakeAgent;

beforeEach(async () => {
  h = await ingestHarness();
  agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => h.clock.now());
});
afterEach(() => h.close());

const rejected = (reason: string) => h.metrics.rejected.get({ reason });

describe('ingest of slot states', () => {
  it('stores a valid slot state as the current state with one transition', async () => {
    await h.send(agent.slotState('north-1', 'A1', 'occupied'));
    expect(await h.states.get('north-1', 'A1')).toMatchObject({
      state: 'occupied',
      source: 'agent',
      agentId: 'agent-1',
    });
    expect(await h.transitions('north-1', 'A1')).toEqual([
      expect.objectContaining({ from_state: null, to_state: 'occupied', source: 'agent' }),
    ]);
    expect(await h.availability.lotAvailability('north')).toMatchObject({ total: 3, occupied: 1, free: 0, unknown: 2 });
  });

  it('appends history only when the state changes, not when the agent refreshes it', async () => {
    await h.send(agent.slotState('north-1', 'A1', 'free'));
    h.clock.advance(60_000);
    await h.send(agent.slotState('north-1', 'A1', 'free'));
    h.clock.advance(60_000);
    await h.send(agent.slotState('north-1', 'A1', 'occupied'));
    h.clock.advance(60_000);
    await h.send(agent.slotState('north-1', 'A1', 'occupied'));
    expect((await h.transitions('north-1', 'A1')).map((t) => t.to_state)).toEqual(['free', 'occupied']);
    expect((await h.states.get('north-1', 'A1'))?.observedAt).toBe(h.clock.now());
  });

  it('ignores a retained replay that is older than the stored state', async () => {
    const old = agent.slotState('north-1', 'A1', 'free');
    h.clock.advance(10_000);
    await h.send(agent.slotState('north-1', 'A1', 'occupied'));
    await h.send(old, true);
    expect((await h.states.get('north-1', 'A1'))?.state).toBe('occupied');
    expect(h.metrics.ignored.get({ reason: 'stale' })).toBe(1);
    expect(await h.transitions('north-1', 'A1')).toHaveLength(1);
  });

  it('records a slot that no lot configures as unassigned instead of dropping it', async () => {
    await h.send(agent.slotState('west-9', 'X1', 'free'));
    expect(h.catalog.slotsOf(null)).toEqual([
      expect.objectContaining({ cameraId: 'west-9', slotId: 'X1', configured: false }),
    ]);
    expect((await h.states.get('west-9', 'X1'))?.state).toBe('free');
    expect((await h.availability.lotAvailability('north'))?.free).toBe(0);
  });

  it('counts a slot whose last report is older than the freshness limit as unknown', async () => {
    await h.send(agent.slotState('north-1', 'A1', 'free'));
    expect((await h.availability.lotAvailability('north'))?.free).toBe(1);
    h.clock.advance((h.config.freshness.stale_after_s + 1) * 1000);
    expect(await h.availability.lotAvailability('north')).toMatchObject({ free: 0, unknown: 3, stale_slots: 1 });
    expect((await h.availability.lotSlots('north'))?.slots[0]).toMatchObject({ state: 'unknown', stale: true });
  });
});

describe('rejection of invalid messages', () => {
  const slotTopic = buildTopic('slot_state', { site: SITE, camera: 'north-1', slot: 'A1' }, PREFIX);

  it('rejects and counts each kind of bad message by reason, storing nothing', async () => {
    const valid = agent.slotState('north-1', 'A1', 'free');
    await h.send({ topic: slotTopic, payload: '{"not": json' });
    await h.send({ topic: slotTopic, payload: JSON.stringify({ ...valid.value, state: 'maybe' }) });
    await h.send({ topic: slotTopic, payload: Buffer.alloc(5000, 0x20) });
    await h.send({ topic: `${PREFIX}/${SITE}/camera/bad.id/slot/A1/state`, payload: valid.payload });
    await h.send({
      topic: buildTopic('slot_state', { site: SITE, camera: 'north-1', slot: 'A2' }, PREFIX),
      payload: valid.payload,
    });
    await h.send({
      topic: buildTopic('slot_state', { site: 'other-site', camera: 'north-1', slot: 'A1' }, PREFIX),
      payload: valid.payload,
    });
    await h.send({ topic: buildTopic('calibration', { site: SITE, camera: 'north-1' }, PREFIX), payload: '{}' });
    expect({
      not_json: rejected('not_json'),
      schema: rejected('schema'),
      too_large: rejected('too_large'),
      topic_invalid: rejected('topic_invalid'),
      topic_mismatch: rejected('topic_mismatch'),
      wrong_site: rejected('wrong_site'),
      wrong_direction: rejected('wrong_direction'),
    }).toEqual({
      not_json: 1,
      schema: 1,
      too_large: 1,
      topic_invalid: 1,
      topic_mismatch: 1,
      wrong_site: 1,
      wrong_direction: 1,
    });
    expect(await h.states.all()).toEqual([]);
    expect(h.metrics.received.get()).toBe(7);
  });

  it('accepts timestamps within the clock-skew tolerance and rejects ones beyond it', async () => {
    const tolerance = h.config.ingest.future_tolerance_s * 1000;
    const at = (ms: number) => new Date(h.clock.now() + ms).toISOString();
    await h.send(agent.slotState('north-1', 'A1', 'free', { observed_at: at(tolerance - 1000), since: at(0) }));
    await h.send(agent.slotState('north-1', 'A2', 'free', { observed_at: at(tolerance + 1000), since: at(0) }));
    await h.send(agent.slotState('north-1', 'A3', 'free', { sent_at: at(tolerance + 60_000) }));
    expect((await h.states.get('north-1', 'A1'))?.state).toBe('free');
    expect(await h.states.get('north-1', 'A2')).toBeUndefined();
    expect(await h.states.get('north-1', 'A3')).toBeUndefined();
    expect(rejected('future_timestamp')).toBe(2);
  });
});

describe('agent liveness', () => {
  it('turns the agent’s slots unknown when its last will for the current connection arrives', async () => {
    await h.send(agent.availability('online', 3));
    await h.send(agent.slotState('north-1', 'A1', 'occupied'));
    await h.send(agent.slotState('north-1', 'A2', 'free'));
    h.clock.advance(5000);
    await h.send(agent.availability('offline', 3));
    expect(await h.states.get('north-1', 'A1')).toMatchObject({
      state: 'unknown',
      reason: 'agent_offline',
      source: 'server',
    });
    expect(await h.availability.lotAvailability('north')).toMatchObject({ free: 0, occupied: 0, unknown: 3 });
    expect((await h.agents.get('agent-1'))?.status).toBe('offline');
    expect((await h.transitions('north-1', 'A1')).at(-1)).toMatchObject({
      from_state: 'occupied',
      to_state: 'unknown',
      at: h.clock.now(),
    });
  });

  it('ignores a last will left by an older connection of the same session', async () => {
    await h.send(agent.availability('online', 4));
    await h.send(agent.slotState('north-1', 'A1', 'free'));
    await h.send(agent.availability('offline', 3));
    expect((await h.states.get('north-1', 'A1'))?.state).toBe('free');
    expect((await h.agents.get('agent-1'))?.status).toBe('online');
    expect(h.metrics.ignored.get({ reason: 'stale_availability' })).toBe(1);
  });

  it('turns an agent silent past its TTL unknown, and its next live message brings it back', async () => {
    await h.send(agent.availability('online'));
    await h.send(agent.slotState('north-1', 'A1', 'free'));
    h.clock.advance(h.config.ingest.agent_ttl_s * 1000 - 1000);
    h.sweeper.tick();
    await h.writer.flush();
    expect((await h.states.get('north-1', 'A1'))?.state).toBe('free');
    h.clock.advance(2000);
    h.sweeper.tick();
    await h.writer.flush();
    expect((await h.agents.get('agent-1'))?.status).toBe('silent');
    expect(await h.states.get('north-1', 'A1')).toMatchObject({ state: 'unknown', reason: 'agent_offline' });
    await h.send(agent.slotState('north-1', 'A1', 'free'));
    expect((await h.agents.get('agent-1'))?.status).toBe('online');
    expect((await h.states.get('north-1', 'A1'))?.state).toBe('free');
  });

  it('stretches the TTL to the configured number of missed heartbeats', async () => {
    await h.send(agent.heartbeat(60));
    await h.send(agent.slotState('north-1', 'A1', 'free'));
    h.clock.advance(h.config.ingest.agent_ttl_s * 1000 + 10_000);
    h.sweeper.tick();
    await h.writer.flush();
    expect((await h.states.get('north-1', 'A1'))?.state).toBe('free');
    h.clock.advance(h.config.ingest.missed_heartbeats * 60_000);
    h.sweeper.tick();
    await h.writer.flush();
    expect((await h.states.get('north-1', 'A1'))?.state).toBe('unknown');
  });

  it('stores a retained state from an agent known to be offline as unknown', async () => {
    await h.send(agent.availability('offline', 0), true);
    await h.send(agent.slotState('north-1', 'A1', 'free'), true);
    expect(await h.states.get('north-1', 'A1')).toMatchObject({ state: 'unknown', reason: 'agent_offline' });
  });
});

describe('sessions and sequence numbers', () => {
  it('counts a restart when a new session appears and marks the old session’s slots unknown until reported', async () => {
    await h.send(agent.slotState('north-1', 'A1', 'free'));
    await h.send(agent.slotState('north-1', 'A2', 'occupied'));
    h.clock.advance(1000);
    const restarted = new FakeAgent('agent-1', 'session-bbbbbbbb', () => h.clock.now());
    await h.send(restarted.availability('online'));
    expect(h.metrics.restarts.get({ agent: 'agent-1' })).toBe(1);
    expect(await h.agents.get('agent-1')).toMatchObject({ restarts: 1, sessionId: 'session-bbbbbbbb' });
    expect(await h.states.get('north-1', 'A1')).toMatchObject({ state: 'unknown', reason: 'starting' });
    await h.send(restarted.slotState('north-1', 'A1', 'free'));
    expect((await h.states.get('north-1', 'A1'))?.state).toBe('free');
  });

  it('treats a retained message of an older session as a leftover, not a restart', async () => {
    const old = new FakeAgent('agent-1', 'session-oldoldold', () => h.clock.now());
    const oldState = old.slotState('north-1', 'A3', 'free');
    h.clock.advance(5000);
    await h.send(agent.availability('online'));
    await h.send(oldState, true);
    expect(h.metrics.restarts.get({ agent: 'agent-1' })).toBe(0);
    expect((await h.agents.get('agent-1'))?.sessionId).toBe('session-aaaaaaaa');
    expect(await h.states.get('north-1', 'A3')).toMatchObject({ state: 'unknown', reason: 'agent_offline' });
  });

  it('counts gaps in live messages and the messages lost, but not in retained replays', async () => {
    await h.send(agent.slotState('north-1', 'A1', 'free')); // seq 0
    agent.seq += 4; // seqs 1–4 lost
    h.clock.advance(1000);
    await h.send(agent.slotState('north-1', 'A1', 'occupied')); // seq 5
    expect(await h.agents.get('agent-1')).toMatchObject({ seqGaps: 1, lostMessages: 4, lastSeq: 5 });
    agent.seq += 10;
    h.clock.advance(1000);
    await h.send(agent.slotState('north-1', 'A2', 'free'), true);
    expect(await h.agents.get('agent-1')).toMatchObject({ seqGaps: 1, lostMessages: 4, lastSeq: 16 });
    expect(h.metrics.lost.get({ agent: 'agent-1' })).toBe(4);
  });
});

describe('storage faults', () => {
  it('loses only the operation that failed, not the rest of its batch', async () => {
    // A real SQLite fault, not a mock: a trigger refuses one slot's row.
    h.db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON slot_state WHEN NEW.slot_id = 'A2'
               BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    for (const slot of ['A1', 'A2', 'A3']) {
      const m = agent.slotState('north-1', slot, 'free');
      h.ingestor.handle(m.topic, Buffer.from(m.payload), false);
    }
    expect(await h.writer.flush()).toBe(3);
    expect((await h.states.all()).map((r) => r.slotId)).toEqual(['A1', 'A3']);
    expect(h.metrics.storageErrors.get({ stage: 'operation' })).toBe(1);
    expect(h.metrics.batches.get()).toBe(1);
  });
});

describe('ingest with shared subscriptions', () => {
  it('does not report gaps, because each instance sees only part of the sequence', async () => {
    const shared = await ingestHarness({}, { trackGaps: false });
    try {
      const a = new FakeAgent('agent-1', 'session-aaaaaaaa', () => shared.clock.now());
      await shared.send(a.slotState('north-1', 'A1', 'free'));
      a.seq += 3;
      await shared.send(a.slotState('north-1', 'A2', 'free'));
      expect(await shared.agents.get('agent-1')).toMatchObject({ seqGaps: 0, lastSeq: 4 });
    } finally {
      await shared.close();
    }
  });
});

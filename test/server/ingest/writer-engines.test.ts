// The ingest writer's transaction on both engines: a batch of every kind of message commits as one,
// one refused operation costs only itself, and a batch whose transaction fails leaves nothing.
// The faults are real: triggers in the database refuse rows, as a full disk or a constraint would.
import { describe, expect, it } from 'vitest';
import type { SqlDatabase } from '../../../server/core/storage/sql/port.ts';
import { useEngines } from '../../support/engines.ts';
import { ingestHarness, type Harness } from '../support/ingest-harness.ts';
import { FakeAgent } from '../support/messages.ts';

const engines = useEngines();

/** A trigger that refuses rows of `table` matching `when` (SQL over NEW), on either engine. */
async function refuse(sql: SqlDatabase, table: string, event: 'INSERT' | 'UPDATE', when: string): Promise<void> {
  if (sql.engine === 'sqlite') {
    await sql.exec(`CREATE TRIGGER refuse_${table} BEFORE ${event} ON ${table} WHEN ${when}
      BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    return;
  }
  // 23514 (check_violation): a row the schema refuses, as SQLite's RAISE(ABORT) reports a constraint.
  await sql.exec(`CREATE FUNCTION refuse_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '23514'; END $$;
    CREATE TRIGGER refuse_${table} BEFORE ${event} ON ${table} FOR EACH ROW WHEN (${when})
      EXECUTE FUNCTION refuse_${table}();`);
}

async function harness(open: () => Promise<SqlDatabase>): Promise<{ h: Harness; agent: FakeAgent }> {
  const h = await ingestHarness({}, { sql: await open() });
  h.clock.set(Date.parse('2026-11-30T08:00:00Z'));
  return { h, agent: new FakeAgent('agent-1', 'session-aaaaaaaa', () => h.clock.now()) };
}

const count = async (h: Harness, table: string) =>
  (await h.sql.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;

describe.each(engines)('the ingest writer on $engine', ({ available, open }) => {
  it.skipIf(!available)('commits a batch of mixed messages in one transaction', async () => {
    const { h, agent } = await harness(open);
    try {
      for (const m of [
        agent.availability('online', 1),
        agent.heartbeat(30, ['north-1']),
        agent.slotState('north-1', 'A1', 'occupied'),
        agent.slotState('north-1', 'A2', 'free'),
        agent.slotState('west-9', 'X1', 'free'),
        agent.summary('north-1', { free: 1, occupied: 1, unknown: 1 }),
      ])
        h.receive(m);
      expect(await h.writer.flush()).toBe(6);
      expect(h.metrics.batches.get()).toBe(1);
      expect(await h.agents.get('agent-1')).toMatchObject({
        status: 'online',
        connectionSeq: 1,
        heartbeatIntervalS: 30,
        processCpuPercent: 12.5,
        lastSeq: 5,
      });
      expect((await h.states.all()).map((r) => [r.cameraId, r.slotId, r.state])).toEqual([
        ['north-1', 'A1', 'occupied'],
        ['north-1', 'A2', 'free'],
        ['west-9', 'X1', 'free'],
      ]);
      expect(await h.transitions('north-1', 'A1')).toEqual([expect.objectContaining({ to_state: 'occupied' })]);
      expect(h.catalog.slotsOf(null).map((s) => s.slotId)).toEqual(['X1']);
      const camera = await h.sql.one('SELECT stream_status, summary_total FROM cameras WHERE camera_id = $1', [
        'north-1',
      ]);
      expect(camera).toEqual({ stream_status: 'ok', summary_total: 3 });
      expect(await h.availability.lotAvailability('north')).toMatchObject({ free: 1, occupied: 1, unknown: 1 });

      // A second batch reads what the first committed: the agent's session goes on, a change is history.
      h.clock.advance(1000);
      await h.send(agent.slotState('north-1', 'A1', 'free'));
      expect((await h.transitions('north-1', 'A1')).map((t) => t.to_state)).toEqual(['occupied', 'free']);
      expect(h.metrics.restarts.get({ agent: 'agent-1' })).toBe(0);
    } finally {
      await h.close();
    }
  });

  it.skipIf(!available)('loses only the operation the database refused, not the rest of its batch', async () => {
    const { h, agent } = await harness(open);
    try {
      await refuse(h.sql, 'slot_state', 'INSERT', `NEW.slot_id = 'A2'`);
      for (const slot of ['A1', 'A2', 'A3']) h.receive(agent.slotState('north-1', slot, 'free'));
      expect(await h.writer.flush()).toBe(3);
      expect((await h.states.all()).map((r) => r.slotId)).toEqual(['A1', 'A3']);
      expect(await h.transitions('north-1', 'A2')).toEqual([]);
      expect(h.metrics.storageErrors.get({ stage: 'operation' })).toBe(1);
      expect(h.metrics.batches.get()).toBe(1);
      expect(await h.agents.get('agent-1')).toMatchObject({ lastSeq: 2 });
    } finally {
      await h.close();
    }
  });

  it.skipIf(!available)('rolls a batch whose transaction fails back as a whole', async () => {
    const { h, agent } = await harness(open);
    try {
      await h.send(agent.availability('online'));
      // The agent's row is written last in a batch: refusing it fails the batch after its slot states.
      await refuse(h.sql, 'agents', 'UPDATE', `NEW.last_seq >= 1`);
      h.receive(agent.slotState('north-1', 'A1', 'occupied'));
      h.receive(agent.slotState('west-9', 'X1', 'free'));
      expect(await h.writer.flush()).toBe(0);
      expect(h.writer.failing).toBe(true);
      expect(h.writer.pending).toBe(2); // back in the queue for its retry
      expect(h.metrics.storageErrors.get({ stage: 'transaction' })).toBe(1);
      expect(h.metrics.batches.get()).toBe(1); // the availability's
      expect(await count(h, 'slot_state')).toBe(0);
      expect(await count(h, 'transitions')).toBe(0);
      expect(await h.sql.one('SELECT count(*) AS n FROM slots WHERE camera_id = $1', ['west-9'])).toEqual({ n: 0 });
      expect(await h.agents.get('agent-1')).toMatchObject({ lastSeq: 0, status: 'online' });
      // The catalog forgot the slot whose row was rolled back.
      expect(h.catalog.slotsOf(null)).toEqual([]);
    } finally {
      await h.sql.exec(
        h.sql.engine === 'sqlite' ? 'DROP TRIGGER refuse_agents' : 'DROP TRIGGER refuse_agents ON agents',
      );
      await h.close();
    }
  });
});

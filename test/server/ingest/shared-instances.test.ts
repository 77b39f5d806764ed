// Two server instances writing the same agent into one PostgreSQL (shared subscriptions): the second
// instance's batch waits for the first's row lock and builds on its result, so neither loses the
// other's session change or counters. Deterministic: the first batch is held open inside its
// transaction (a hook), and the second is seen waiting on the lock in pg_stat_activity.
import { describe, expect, it } from 'vitest';
import { buildTopic, encodeMessage } from '../../../protocol/index.ts';
import { openSqlDatabase } from '../../../server/core/storage/sql/open.ts';
import type { SqlDatabase } from '../../../server/core/storage/sql/port.ts';
import { waitFor } from '../../fixtures/process.ts';
import { usePostgres } from '../../support/postgres.ts';
import { ingestHarness } from '../support/ingest-harness.ts';
import { FakeAgent, PREFIX, SITE } from '../support/messages.ts';

const pg = usePostgres();
const T = Date.parse('2026-11-30T08:00:00Z');

function calibrationAck(agent: FakeAgent, at: number) {
  const payload = {
    agent_id: agent.agentId,
    session_id: agent.sessionId,
    seq: agent.seq++,
    sent_at: new Date(at).toISOString(),
    camera_id: 'north-1',
    version: 3,
    result: 'applied' as const,
  };
  return {
    topic: buildTopic('calibration_ack', { site: SITE, camera: 'north-1' }, PREFIX),
    payload: encodeMessage('calibration_ack', payload),
  };
}

describe('two ingest writers on one PostgreSQL', () => {
  it.skipIf(!pg.available)('serialise on the agent’s row: the later restart counts on top of the earlier', async () => {
    const url = await pg.server.createDatabase();
    const opened: SqlDatabase[] = [];
    const open = async () => (opened.push(await openSqlDatabase({ engine: 'postgres', url })), opened.at(-1)!);
    let entered = false;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const a = await ingestHarness(
      {},
      {
        sql: await open(),
        trackGaps: false,
        hooks: {
          calibrationAck: async () => {
            entered = true;
            await held;
          },
        },
      },
    );
    const b = await ingestHarness({}, { sql: await open(), trackGaps: false });
    const watcher = await open();
    try {
      for (const h of [a, b]) h.clock.set(T + 10_000);
      await a.send(new FakeAgent('agent-1', 'session-a', () => T).availability('online'));

      // Instance A: agent-1 restarted as session-b; its batch stays open inside the ack's hook.
      const sessionB = new FakeAgent('agent-1', 'session-b', () => T + 1000);
      a.receive(sessionB.slotState('north-1', 'A1', 'free'));
      a.receive(calibrationAck(sessionB, T + 1000));
      const aDone = a.writer.flush();
      await waitFor(() => entered, { timeoutMs: 5000, intervalMs: 5, what: 'instance A inside its batch' });

      // Instance B: a later restart as session-c. Its batch must wait for A's lock on agent-1.
      b.receive(new FakeAgent('agent-1', 'session-c', () => T + 2000).slotState('north-1', 'A2', 'free'));
      const bDone = b.writer.flush();
      await waitFor(
        async () =>
          (await watcher.one<{ n: number }>(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          ))!.n > 0,
        { timeoutMs: 5000, intervalMs: 5, what: 'instance B waiting for the agent row lock' },
      );
      release();
      expect(await aDone).toBe(2);
      expect(await bDone).toBe(1);

      expect(await a.agents.get('agent-1')).toMatchObject({ sessionId: 'session-c', restarts: 2 });
      expect(a.metrics.restarts.get({ agent: 'agent-1' })).toBe(1);
      expect(b.metrics.restarts.get({ agent: 'agent-1' })).toBe(1);
      // B saw A's committed state: session-b's A1 report predates session-c and turns unknown.
      expect(await a.states.get('north-1', 'A1')).toMatchObject({ state: 'unknown', reason: 'starting' });
      expect(await a.states.get('north-1', 'A2')).toMatchObject({ state: 'free', sessionId: 'session-c' });
    } finally {
      release();
      await a.close();
      await b.close();
      await Promise.all(opened.map((db) => db.close()));
    }
  });
});

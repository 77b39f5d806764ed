// The ingest's side of the PUBACK gate: when the writer lets an acknowledgement go. The MQTT side
// (that a held PUBACK really stays away from the broker) is test/server/core/mqtt/puback-gate.test.ts;
// the whole guarantee across a SIGKILL is test/system/server-crash.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitAckGate } from '../../../server/ingest/ack-gate.ts';
import { waitFor } from '../../fixtures/process.ts';
import { ingestHarness, type Harness } from '../support/ingest-harness.ts';
import { FakeAgent } from '../support/messages.ts';

let h: Harness;
let agent: FakeAgent;
let releases: number;
let gate: ReturnType<typeof commitAckGate>;

beforeEach(async () => {
  // A batch delay far beyond the waits below: only the gate's wake-up can write in time.
  h = await ingestHarness({ ingest: { batch_delay_ms: 5000 } });
  agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => h.clock.now());
  gate = commitAckGate(h.writer);
  releases = 0;
  gate.onRelease(() => releases++);
});
afterEach(() => h.close());

const receive = (m: { topic: string; payload: string | Buffer }) =>
  h.ingestor.handle(m.topic, typeof m.payload === 'string' ? Buffer.from(m.payload) : m.payload, false);

describe('the ingest PUBACK gate', () => {
  it('lets the PUBACK of a message that queued nothing go at once', () => {
    receive({ topic: 'volno/v1/elsewhere/not-ours', payload: '{}' });
    expect(h.writer.pending).toBe(0);
    expect(gate.holding()).toBe(false);
  });

  it('holds the PUBACK of a queued message and releases it once the writer has committed it, on the next turn', async () => {
    receive(agent.slotState('north-1', 'A1', 'occupied'));
    expect(gate.holding()).toBe(true);
    expect(releases).toBe(0);
    await waitFor(() => releases > 0, { timeoutMs: 1000, intervalMs: 1, what: 'the release' });
    expect(h.writer.pending).toBe(0);
    expect(await h.states.get('north-1', 'A1')).toMatchObject({ state: 'occupied' });
  });

  it('holds nothing while the database refuses writes, so the broker does not queue behind a dead disk', async () => {
    h.db.pragma('query_only = ON');
    receive(agent.slotState('north-1', 'A1', 'occupied'));
    expect(gate.holding()).toBe(true);
    await h.writer.flush();
    expect(h.writer.failing).toBe(true);
    // The acknowledgements already held went out with the failure.
    expect(releases).toBe(1);
    receive(agent.slotState('north-1', 'A2', 'free'));
    expect(gate.holding()).toBe(false);
    h.db.pragma('query_only = OFF');
  });
});

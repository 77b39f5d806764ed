// A report the server overrode (its agent went silent or offline) and the agent then repeats
// unchanged: found by the whole-system fault tests (test/system/agent-broker-faults.test.ts), where a
// resumed agent's republished states were ignored as duplicates and its slots stayed unknown.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestHarness, type Harness } from '../support/ingest-harness.ts';
import { FakeAgent } from '../support/messages.ts';

let h: Harness;
let agent: FakeAgent;
beforeEach(async () => {
  h = await ingestHarness();
  agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => h.clock.now());
});
afterEach(() => h.close());

/** The agent goes silent past its TTL after reporting A1 free; returns that report's observation time. */
async function silentAfterReport(): Promise<string> {
  await h.send(agent.availability('online'));
  const report = agent.slotState('north-1', 'A1', 'free');
  await h.send(report);
  h.clock.advance(h.config.ingest.agent_ttl_s * 1000 + 1000);
  h.sweeper.tick();
  await h.writer.flush();
  expect(await h.states.get('north-1', 'A1')).toMatchObject({ state: 'unknown', reason: 'agent_offline' });
  return report.value.observed_at;
}

describe('a report repeated after the server turned it unknown', () => {
  it('restores the state when the agent repeats it live, and records the way back in history', async () => {
    const observedAt = await silentAfterReport();
    await h.send(agent.slotState('north-1', 'A1', 'free', { observed_at: observedAt, since: observedAt }));
    expect(await h.states.get('north-1', 'A1')).toMatchObject({ state: 'free', reason: null, source: 'agent' });
    expect((await h.transitions('north-1', 'A1')).map((t) => t.to_state)).toEqual(['free', 'unknown', 'free']);
    expect(h.metrics.ignored.get({ reason: 'duplicate' })).toBe(0);
  });

  it('keeps the slot unknown when only the broker replays it while the agent is still silent', async () => {
    const observedAt = await silentAfterReport();
    await h.send(agent.slotState('north-1', 'A1', 'free', { observed_at: observedAt, since: observedAt }), true);
    expect(await h.states.get('north-1', 'A1')).toMatchObject({ state: 'unknown', reason: 'agent_offline' });
  });

  it('still ignores an agent’s plain repeat of a report it already holds', async () => {
    await h.send(agent.availability('online'));
    const report = agent.slotState('north-1', 'A1', 'free');
    await h.send(report);
    const at = report.value.observed_at;
    await h.send(agent.slotState('north-1', 'A1', 'free', { observed_at: at, since: at }));
    expect(h.metrics.ignored.get({ reason: 'duplicate' })).toBe(1);
    expect(await h.transitions('north-1', 'A1')).toHaveLength(1);
  });
});

import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import { RejectionLog } from '../../../server/ingest/rejection-log.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines };
}

describe('the rejection log', () => {
  it('logs at most N lines a minute, then says how many it left out', () => {
    const { log, lines } = capture();
    const clock = new ManualClock();
    const r = new RejectionLog(log, clock, 3);
    for (let i = 0; i < 10; i++) r.record({ reason: 'schema', topic: 't', kind: 'slot_state', detail: `/x: bad ${i}` });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ msg: 'MQTT message rejected', reason: 'schema', detail: '/x: bad 0' });
    clock.advance(60_000);
    r.record({ reason: 'not_json', topic: 't', kind: null, detail: 'nope' });
    expect(lines.slice(3)).toEqual([
      expect.objectContaining({ suppressed: 7 }),
      expect.objectContaining({ reason: 'not_json' }),
    ]);
  });

  it('cuts topics and details from the network short', () => {
    const { log, lines } = capture();
    new RejectionLog(log, new ManualClock(), 5).record({
      reason: 'schema',
      topic: 'a'.repeat(10_000),
      kind: null,
      detail: 'b'.repeat(10_000),
    });
    expect((lines[0]!['topic'] as string).length).toBe(300);
    expect((lines[0]!['detail'] as string).length).toBe(500);
  });
});

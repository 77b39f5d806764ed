import { describe, expect, it } from 'vitest';
import { LatestQueue } from '../../../edge/mqtt/latest-queue.ts';

describe('the offline queue', () => {
  it('keeps only the latest message per topic, newest last', () => {
    const q = new LatestQueue<number>(10);
    q.put('a', 1);
    q.put('b', 1);
    q.put('a', 2);
    expect(q.drain()).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
    expect(q.size).toBe(0);
  });

  it('evicts the oldest topic when full, and counts it', () => {
    const q = new LatestQueue<number>(2);
    for (const t of ['a', 'b', 'c']) q.put(t, 0);
    expect(q.drain().map(([t]) => t)).toEqual(['b', 'c']);
    expect(q.evicted).toBe(1);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { SnapshotStore } from '../../../server/calibration/snapshot-store.ts';
import { ManualClock } from '../../../server/core/clock.ts';

const limits = { ttlMs: 60_000, maxBytes: 1000, maxPending: 2 };
const image = (cameraId: string, bytes = 100) => ({
  cameraId,
  jpeg: Buffer.alloc(bytes),
  width: 10,
  height: 10,
  capturedAt: 0,
});
const reply = (requestId: string, cameraId = 'cam-1') => ({
  agent_id: 'agent-1',
  session_id: 'session-aaaaaaaa',
  seq: 0,
  sent_at: '2026-11-30T08:00:00.000Z',
  camera_id: cameraId,
  request_id: requestId,
  result: 'error' as const,
  error: 'x',
});

afterEach(() => vi.useRealTimers());

describe('the snapshot store', () => {
  it('forgets a snapshot once its TTL has passed', () => {
    const clock = new ManualClock();
    const store = new SnapshotStore(clock, limits);
    const s = store.put(image('cam-1'));
    clock.advance(59_999);
    expect(store.get('cam-1', s.id)).toBe(s);
    clock.advance(1);
    expect(store.get('cam-1', s.id)).toBeUndefined();
    expect(store.size).toEqual({ count: 0, bytes: 0 });
  });

  it('drops the oldest snapshots beyond the byte cap, and keeps cameras apart', () => {
    const store = new SnapshotStore(new ManualClock(), limits);
    const first = store.put(image('cam-1', 400));
    const second = store.put(image('cam-2', 400));
    const third = store.put(image('cam-1', 400));
    expect(store.get('cam-1', first.id)).toBeUndefined();
    expect(store.get('cam-2', second.id)).toBe(second);
    expect(store.get('cam-2', third.id)).toBeUndefined();
    expect(store.latest('cam-1')).toBe(third);
    expect(store.size.bytes).toBe(800);
  });

  it('counts a labelling snapshot’s features against the byte cap, not only its JPEG', () => {
    const store = new SnapshotStore(new ManualClock(), { ...limits, maxBytes: 2000 });
    const classified = {
      model_id: 'm',
      calibration_version: 1,
      dim: 2,
      generic_head: { weights: [0, 0], bias: 0 },
      slots: [{ slot_id: 'a', p_occupied: 0.5, features_base64: 'A'.repeat(1000) }],
    };
    const first = store.put({ ...image('cam-1', 100), classified });
    expect(store.size.bytes).toBe(100 + 1000 + 64 + 2 * 24);
    store.put({ ...image('cam-1', 100), classified });
    expect(store.get('cam-1', first.id)).toBeUndefined(); // two would exceed 2000 bytes
    expect(store.size.bytes).toBe(1212);
  });

  it('hands a reply to the request waiting for it, times out the others, and limits how many wait', async () => {
    vi.useFakeTimers();
    const store = new SnapshotStore(new ManualClock(), limits);
    const a = store.expect('request-a', 'cam-1', 1000)!;
    const b = store.expect('request-b', 'cam-1', 1000)!;
    expect(store.expect('request-c', 'cam-1', 1000)).toBeNull();
    expect(store.deliver(reply('request-a', 'cam-2'))).toBe(false); // another camera's answer
    expect(store.deliver(reply('request-a'))).toBe(true);
    expect((await a).ok).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(await b).toEqual({ ok: false, reason: 'timeout' });
    expect(store.deliver(reply('request-b'))).toBe(false);
    expect(store.unmatched).toBe(2);
    const c = store.expect('request-c', 'cam-1', 1000)!;
    store.stop();
    expect(await c).toEqual({ ok: false, reason: 'stopped' });
  });
});

import { describe, expect, it } from 'vitest';
import { FramePool, type PooledFrame } from '../../../edge/source/frame-pool.ts';
import { RawFrameAssembler } from '../../../edge/source/raw-frame-assembler.ts';

/** Bytes of `n` frames of 2x2 RGB, frame k filled with the value k + 1. */
const frames = (n: number) => Uint8Array.from({ length: n * 12 }, (_, i) => Math.floor(i / 12) + 1);

describe('the raw frame assembler', () => {
  it('cuts frames out of chunks of any size, including chunks that span frames', () => {
    const pool = new FramePool(2, 2, 4);
    const seen: number[][] = [];
    const asm = new RawFrameAssembler(pool, (f) => seen.push([...f.data]));
    const bytes = frames(3);
    for (const [from, to] of [
      [0, 5],
      [5, 17],
      [17, 18],
      [18, 36],
    ] as const)
      asm.push(bytes.subarray(from, to));
    expect(seen).toEqual([Array(12).fill(1), Array(12).fill(2), Array(12).fill(3)]);
    expect(asm.counters).toEqual({ frames: 3, dropped: 0, corrupt: 0 });
  });

  it('writes into the same preallocated buffers instead of allocating per frame', () => {
    const pool = new FramePool(2, 2, 2);
    const buffers = new Set<ArrayBufferLike>();
    const asm = new RawFrameAssembler(pool, (f) => buffers.add(f.data.buffer));
    for (let i = 0; i < 50; i++) asm.push(frames(1));
    expect(asm.counters.frames).toBe(50);
    expect(buffers.size).toBe(1); // released after each delivery, so the first buffer is reused
  });

  it('drops (and counts) a frame when every buffer is still held by a consumer', () => {
    const pool = new FramePool(2, 2, 2);
    const held: PooledFrame[] = [];
    const asm = new RawFrameAssembler(pool, (f) => held.push(f.retain()));
    asm.push(frames(3));
    expect(held.map((f) => f.data[0])).toEqual([1, 2]);
    expect(asm.counters).toMatchObject({ frames: 2, dropped: 1 });
    held[0]!.release();
    asm.push(frames(4).subarray(36));
    expect(held[2]).toBe(held[0]); // the released buffer was reused for the next frame
    expect(held[2]!.data[0]).toBe(4);
  });

  it('counts a partial frame at the end of a stream as corrupt and never delivers it', () => {
    const seen: number[] = [];
    const asm = new RawFrameAssembler(new FramePool(2, 2), (f) => seen.push(f.data[0]!));
    asm.push(frames(2).subarray(0, 18));
    expect(asm.finish()).toBe(true);
    expect(seen).toEqual([1]);
    expect(asm.counters.corrupt).toBe(1);
    expect(asm.finish()).toBe(false);
  });
});

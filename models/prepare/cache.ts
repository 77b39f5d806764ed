import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CutPatch } from './cut.ts';

/** Version tag of the cache layout; models/train/volno_data.py refuses anything else. */
export const CACHE_FORMAT = 'volno-patches-1';

/**
 * Writes `patches.u8` (N × 3 × size × size bytes, RGB planes) and `index.json` (one entry per
 * patch, same order) into a folder: the hand-over from the TypeScript warp to the Python trainer.
 */
export class CacheWriter {
  private stream: WriteStream | null = null;
  private readonly items: Omit<CutPatch, 'pixels'>[] = [];

  constructor(
    readonly dir: string,
    private readonly size: number,
  ) {}

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.stream = createWriteStream(join(this.dir, 'patches.u8'));
  }

  async add({ pixels, ...meta }: CutPatch): Promise<void> {
    if (pixels.length !== 3 * this.size * this.size) throw new Error(`patch of ${pixels.length} bytes`);
    if (!this.stream!.write(pixels)) await new Promise<void>((r) => this.stream!.once('drain', () => r()));
    this.items.push(meta);
  }

  /** Closes the data file and writes the index with `meta` (size, expand, seed…) at its top. */
  async finish(meta: Record<string, unknown>): Promise<Omit<CutPatch, 'pixels'>[]> {
    const stream = this.stream!;
    await new Promise<void>((res, rej) => stream.end((err?: Error | null) => (err ? rej(err) : res())));
    const index = { format: CACHE_FORMAT, size: this.size, ...meta, count: this.items.length, items: this.items };
    await writeFile(join(this.dir, 'index.json'), JSON.stringify(index));
    return this.items;
  }
}

import type { Quad } from './quad.ts';
import { warpQuadInto, type Plane, type PixelMap, type Region, type TensorTarget } from './warp.ts';

/** Halvings kept: a 4K slot of 1,000 px still lands within 2× of a 64 px patch after 3 levels. */
const MAX_LEVEL = 3;

/**
 * Anti-aliased patch sampling for one frame at a time. Plain bilinear sampling aliases once a patch
 * is shrunk by more than 2× (every other source pixel is skipped), and how much depends on the
 * camera's resolution, which is exactly what a model must not learn. So the frame gets a 2×2-box
 * mip pyramid, built lazily once per frame and shared by all its slots, and each slot samples the
 * level where its shrink factor is in [1, 2). Measured in bench/vision: cheaper than 2×2
 * supersampling of every slot. Buffers are kept between frames; nothing is allocated per frame once
 * the largest frame size has been seen.
 */
export class PatchSampler {
  private frame: Plane | null = null;
  private readonly levels: { width: number; height: number; data: Uint8Array }[] = [];
  private built = 0;

  /** Starts a new frame; levels built for the previous one are invalid from here on. */
  begin(frame: Plane): void {
    this.frame = frame;
    this.built = 0;
  }

  /** Warps `quad` (in frame pixels) into `region` of `target`, from the right pyramid level. */
  sample(quad: Quad, target: TensorTarget, map: PixelMap, region?: Region): void {
    if (!this.frame) throw new Error('PatchSampler.sample() called before begin()');
    const rw = region?.width ?? target.width;
    const rh = region?.height ?? target.height;
    const [q0, q1, q2, q3] = quad;
    const dist = (p: readonly number[], q: readonly number[]) => Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!);
    const shrink = Math.max(Math.max(dist(q0, q1), dist(q3, q2)) / rw, Math.max(dist(q0, q3), dist(q1, q2)) / rh);
    let level = shrink >= 2 ? Math.min(MAX_LEVEL, Math.floor(Math.log2(shrink))) : 0;
    let src: Plane = this.frame;
    if (level > 0) {
      level = this.ensure(level);
      if (level > 0) src = this.levels[level - 1]!;
    }
    const k = 1 / 2 ** level;
    const scaled: Quad =
      level === 0
        ? quad
        : [
            [q0[0] * k, q0[1] * k],
            [q1[0] * k, q1[1] * k],
            [q2[0] * k, q2[1] * k],
            [q3[0] * k, q3[1] * k],
          ];
    warpQuadInto(src, scaled, target, map, region);
  }

  /** Builds levels up to `level` (fewer when the frame is too small); returns the level available. */
  private ensure(level: number): number {
    while (this.built < level) {
      const prev: Plane = this.built === 0 ? this.frame! : this.levels[this.built - 1]!;
      const width = prev.width >> 1;
      const height = prev.height >> 1;
      if (width < 2 || height < 2) break;
      let next = this.levels[this.built];
      if (!next || next.data.length < width * height * 3) {
        next = { width, height, data: new Uint8Array(width * height * 3) };
        this.levels[this.built] = next;
      }
      next.width = width;
      next.height = height;
      halve(prev, next.data, width, height);
      this.built++;
    }
    return Math.min(level, this.built);
  }
}

/** 2×2 box average with rounding; output pixel i covers source pixels 2i and 2i+1. */
function halve(src: Plane, out: Uint8Array, width: number, height: number): void {
  const s = src.data;
  const row = src.width * 3;
  for (let y = 0; y < height; y++) {
    let p = 2 * y * row;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, p += 6, o += 3) {
      const q = p + row;
      out[o] = (s[p]! + s[p + 3]! + s[q]! + s[q + 3]! + 2) >> 2;
      out[o + 1] = (s[p + 1]! + s[p + 4]! + s[q + 1]! + s[q + 4]! + 2) >> 2;
      out[o + 2] = (s[p + 2]! + s[p + 5]! + s[q + 2]! + s[q + 5]! + 2) >> 2;
    }
  }
}

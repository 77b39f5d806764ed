import { invert3, project, type LotLayout } from './lot.ts';
import type { LotOccupancy } from './occupancy.ts';
import { seededRandom } from './random.ts';

/** Pixels of one slot, with where each lies in the slot: u across (0–1), v from the far end (0–1). */
interface SlotPixels {
  index: Uint32Array;
  u: Float32Array;
  v: Float32Array;
}

const CAR_WIDTH = 0.69; // of the slot's width (1.8 m of 2.6 m)
const CAR_LENGTH = 0.88; // of the slot's depth (4.4 m of 5 m)
const LINE = 0.03; // painted line half-width, share of the slot width

/**
 * Renders the simulated lot into RGB24 frames. Everything that does not change between frames
 * (asphalt texture, painted lines, which pixel belongs to which slot) is computed once, so a 720p
 * frame costs one copy plus the parked cars.
 */
export class LotRenderer {
  private readonly background: Uint8Array;
  private readonly slots: SlotPixels[];
  private readonly noise: Int8Array;
  private frameNo = 0;

  constructor(private readonly layout: LotLayout) {
    const { width, height } = layout;
    this.background = new Uint8Array(width * height * 3);
    const random = seededRandom(7);
    // Sensor noise is drawn from a fixed table at a per-frame offset: cheap, and no two frames alike.
    this.noise = Int8Array.from({ length: 1 << 16 }, () => Math.round((random() - 0.5) * 10));
    this.paintGround();
    this.slots = layout.slots.map((slot) => this.slotPixels(slot.ground));
    this.paintLines();
  }

  /** Writes the current frame into `out` (width × height × 3 bytes). `light` scales brightness, e.g. 0.9–1.1. */
  render(occupancy: LotOccupancy, out: Uint8Array, light = 1): void {
    out.set(this.background);
    this.slots.forEach((px, slot) => {
      const car = occupancy.car(slot);
      if (car) this.paintCar(px, car.color, car.offset, out);
    });
    const n = out.length;
    const offset = (this.frameNo++ * 7919) & 0xffff;
    for (let i = 0; i < n; i++) {
      const value = out[i]! * light + this.noise[(i + offset) & 0xffff]!;
      out[i] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  }

  private paintGround(): void {
    const { width, height, groundToImage } = this.layout;
    const inv = invert3(groundToImage);
    const random = seededRandom(11);
    const grain = Float32Array.from({ length: 4096 }, () => random());
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [gx, gy] = project(inv, x + 0.5, y + 0.5);
        // Asphalt grain in ground coordinates, so it shrinks with distance like the real thing.
        const cell = (Math.floor(gx * 12) * 73 + Math.floor(gy * 12) * 151) & 4095;
        const base = 92 + grain[cell]! * 18;
        const i = (y * width + x) * 3;
        this.background[i] = base;
        this.background[i + 1] = base + 2;
        this.background[i + 2] = base + 5;
      }
    }
  }

  private slotPixels(ground: readonly (readonly [number, number])[]): SlotPixels {
    const { width, height, groundToImage } = this.layout;
    const inv = invert3(groundToImage);
    const corners = ground.map(([x, y]) => project(groundToImage, x, y));
    const xs = corners.map((c) => c[0]);
    const ys = corners.map((c) => c[1]);
    const [gx0, gy0] = ground[0]!;
    const [gx1, gy1] = ground[2]!;
    const index: number[] = [];
    const us: number[] = [];
    const vs: number[] = [];
    for (let y = Math.max(0, Math.floor(Math.min(...ys))); y < Math.min(height, Math.ceil(Math.max(...ys))); y++) {
      for (let x = Math.max(0, Math.floor(Math.min(...xs))); x < Math.min(width, Math.ceil(Math.max(...xs))); x++) {
        const [gx, gy] = project(inv, x + 0.5, y + 0.5);
        const u = (gx - gx0) / (gx1 - gx0);
        const v = (gy - gy0) / (gy1 - gy0);
        if (u < 0 || u >= 1 || v < 0 || v >= 1) continue;
        index.push(y * width + x);
        us.push(u);
        vs.push(v);
      }
    }
    return { index: Uint32Array.from(index), u: Float32Array.from(us), v: Float32Array.from(vs) };
  }

  private paintLines(): void {
    for (const px of this.slots) {
      for (let k = 0; k < px.index.length; k++) {
        const u = px.u[k]!;
        const v = px.v[k]!;
        if (u < LINE || u > 1 - LINE || v < LINE * 0.5) {
          const i = px.index[k]! * 3;
          this.background[i] = 228;
          this.background[i + 1] = 228;
          this.background[i + 2] = 222;
        }
      }
    }
  }

  private paintCar(px: SlotPixels, color: readonly [number, number, number], offset: number, out: Uint8Array): void {
    const cu = 0.5 + offset * 0.06;
    const halfW = CAR_WIDTH / 2;
    const v0 = (1 - CAR_LENGTH) / 2;
    for (let k = 0; k < px.index.length; k++) {
      const u = px.u[k]!;
      const v = px.v[k]!;
      const i = px.index[k]! * 3;
      const du = Math.abs(u - cu) / halfW; // 0 at the car's centre line, 1 at its side
      const dv = (v - v0) / CAR_LENGTH; // 0 at the car's far end, 1 at its near end
      const inCar = du < 1 && dv > 0 && dv < 1 && !(du > 0.8 && (dv < 0.04 || dv > 0.96)); // rounded corners
      if (!inCar) {
        // The car's shadow falls towards the camera and to one side.
        const su = Math.abs(u - cu - 0.08) / halfW;
        const sv = (v - v0 - 0.05) / CAR_LENGTH;
        if (su < 1 && sv > 0 && sv < 1) {
          out[i] = out[i]! * 0.55;
          out[i + 1] = out[i + 1]! * 0.55;
          out[i + 2] = out[i + 2]! * 0.58;
        }
        continue;
      }
      let shade = 1 - 0.35 * du * du; // rounded body: darker towards the sides
      let glass = false;
      if ((dv > 0.25 && dv < 0.38) || (dv > 0.72 && dv < 0.82))
        glass = true; // windscreen, rear window
      else if (dv >= 0.38 && dv <= 0.72) shade *= 1.08; // roof catches the light
      if (glass) {
        out[i] = 38 * shade;
        out[i + 1] = 44 * shade;
        out[i + 2] = 56 * shade;
      } else {
        out[i] = Math.min(255, color[0] * shade);
        out[i + 1] = Math.min(255, color[1] * shade);
        out[i + 2] = Math.min(255, color[2] * shade);
      }
    }
  }
}

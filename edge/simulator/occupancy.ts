import { exponential, seededRandom } from './random.ts';

export interface SimulatedCar {
  readonly color: readonly [number, number, number];
  /** Sideways offset of the parked car within its slot, −1…1 (drivers do not park centred). */
  readonly offset: number;
}

export interface OccupancyOptions {
  seed: number;
  /** Mean seconds a car stays. */
  meanStaySeconds: number;
  /** Mean seconds a slot stays empty. */
  meanGapSeconds: number;
}

// Common car colours, roughly by how often they are seen on European roads.
const PALETTE: readonly (readonly [number, number, number])[] = [
  [225, 225, 228],
  [20, 22, 26],
  [128, 130, 135],
  [175, 178, 182],
  [30, 55, 120],
  [150, 25, 30],
  [60, 75, 60],
  [200, 190, 160],
];

/**
 * Ground truth of the simulated lot: each slot alternates between empty and holding a car, with
 * exponentially distributed durations, advanced by `advanceTo(seconds)`.
 */
export class LotOccupancy {
  private readonly random: () => number;
  private readonly cars: (SimulatedCar | null)[];
  private readonly nextChange: number[];
  private now = 0;

  constructor(
    readonly slotCount: number,
    private readonly options: OccupancyOptions,
  ) {
    this.random = seededRandom(options.seed);
    const share = options.meanStaySeconds / (options.meanStaySeconds + options.meanGapSeconds);
    this.cars = Array.from({ length: slotCount }, () => (this.random() < share ? this.newCar() : null));
    this.nextChange = this.cars.map((car) =>
      exponential(this.random, car ? options.meanStaySeconds : options.meanGapSeconds),
    );
  }

  /** Moves simulated time forward; returns how many slots changed. */
  advanceTo(seconds: number): number {
    let changes = 0;
    this.now = Math.max(this.now, seconds);
    for (let i = 0; i < this.slotCount; i++) {
      while (this.nextChange[i]! <= this.now) {
        const arriving = this.cars[i] === null;
        this.cars[i] = arriving ? this.newCar() : null;
        this.nextChange[i]! += exponential(
          this.random,
          arriving ? this.options.meanStaySeconds : this.options.meanGapSeconds,
        );
        changes++;
      }
    }
    return changes;
  }

  car(slot: number): SimulatedCar | null {
    return this.cars[slot] ?? null;
  }

  occupiedCount(): number {
    return this.cars.filter((c) => c !== null).length;
  }

  private newCar(): SimulatedCar {
    return { color: PALETTE[Math.floor(this.random() * PALETTE.length)]!, offset: this.random() * 2 - 1 };
  }
}

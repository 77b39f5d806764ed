/** One slot of the public availability API (GET /api/v1/lots/:lot_id/slots). */
interface SlotView {
  camera_id: string;
  slot_id: string;
  state: string;
}

const POLL_MS = 2000;

/**
 * The live occupancy overlay: polls the public availability API (ETag-cached on the server) for
 * the camera's lot and hands slot id → state to the picture, so staff see at once whether the
 * published polygons read the cars right.
 */
export class OccupancyFeed {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly lotId: string,
    private readonly cameraId: string,
    private readonly onStates: (states: Map<string, string> | undefined) => void,
  ) {}

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    void this.#poll();
    this.#timer = setInterval(() => void this.#poll(), POLL_MS);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.onStates(undefined);
  }

  async #poll(): Promise<void> {
    try {
      const res = await fetch(`/api/v1/lots/${encodeURIComponent(this.lotId)}/slots`);
      if (!res.ok || this.#timer === undefined) return;
      const body = (await res.json()) as { slots: SlotView[] };
      const states = new Map<string, string>();
      for (const s of body.slots) if (s.camera_id === this.cameraId) states.set(s.slot_id, s.state);
      this.onStates(states);
    } catch {
      // A missed poll is retried in two seconds; the overlay keeps the last states meanwhile.
    }
  }
}

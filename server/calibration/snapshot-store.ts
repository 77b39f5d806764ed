import { randomBytes } from 'node:crypto';
import type { SnapshotClassified, SnapshotReplyPayload } from '../../protocol/index.ts';
import type { Clock } from '../core/clock.ts';

/** A masked camera frame held for staff; never written to disk. */
export interface Snapshot {
  id: string;
  cameraId: string;
  jpeg: Buffer;
  width: number;
  height: number;
  capturedAt: number;
  storedAt: number;
  /** The model's verdict and features on this very frame, for staff labelling (issue 12). */
  classified?: SnapshotClassified;
}

export interface SnapshotLimits {
  /** How long a snapshot stays available, ms. */
  ttlMs: number;
  /** Total JPEG bytes kept; the oldest go first beyond it. */
  maxBytes: number;
  /** Snapshot requests waiting for an agent at once; more are refused. */
  maxPending: number;
}

/** The agent's answer, or why there is none. */
export type ReplyOutcome = { ok: true; reply: SnapshotReplyPayload } | { ok: false; reason: 'timeout' | 'stopped' };

interface Waiter {
  cameraId: string;
  resolve: (o: ReplyOutcome) => void;
  timer: NodeJS.Timeout;
}

/**
 * Snapshots in memory with a TTL (from the injected clock) and a byte cap, plus the requests still
 * waiting for an agent's reply. `deliver` runs inside the ingest write transaction, so it only hands
 * the decoded payload to the waiting request; base64 decoding and masking happen in the request.
 */
export class SnapshotStore {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly waiting = new Map<string, Waiter>();
  private bytes = 0;
  private stopped = false;
  /** Replies nobody waited for (late, unknown request id, wrong camera). */
  unmatched = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limits: SnapshotLimits,
  ) {}

  get pending(): number {
    return this.waiting.size;
  }

  /** A fresh request id (protocol RequestId: 8–64 of A–Z a–z 0–9 _ -). */
  static newId(): string {
    return randomBytes(12).toString('base64url');
  }

  /** Waits up to `timeoutMs` for the reply to `requestId`. Null when too many requests wait already. */
  expect(requestId: string, cameraId: string, timeoutMs: number): Promise<ReplyOutcome> | null {
    if (this.stopped) return Promise.resolve({ ok: false, reason: 'stopped' });
    if (this.waiting.size >= this.limits.maxPending) return null;
    return new Promise<ReplyOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        resolve({ ok: false, reason: 'timeout' });
      }, timeoutMs);
      this.waiting.set(requestId, { cameraId, resolve, timer });
    });
  }

  /** Stops waiting for a request (its publish failed). */
  cancel(requestId: string): void {
    const w = this.waiting.get(requestId);
    if (w === undefined) return;
    clearTimeout(w.timer);
    this.waiting.delete(requestId);
  }

  /** A validated reply from ingest. Returns true when a request was waiting for it. */
  deliver(reply: SnapshotReplyPayload): boolean {
    const w = this.waiting.get(reply.request_id);
    if (w === undefined || w.cameraId !== reply.camera_id) {
      this.unmatched++;
      return false;
    }
    clearTimeout(w.timer);
    this.waiting.delete(reply.request_id);
    w.resolve({ ok: true, reply });
    return true;
  }

  put(s: Omit<Snapshot, 'id' | 'storedAt'>): Snapshot {
    this.expire();
    const snapshot: Snapshot = { ...s, id: SnapshotStore.newId(), storedAt: this.clock.now() };
    this.snapshots.set(snapshot.id, snapshot);
    this.bytes += sizeOf(snapshot);
    // Map iteration is insertion order: the first entries are the oldest.
    for (const [id, old] of this.snapshots) {
      if (this.bytes <= this.limits.maxBytes || id === snapshot.id) break;
      this.remove(id, old);
    }
    return snapshot;
  }

  get(cameraId: string, id: string): Snapshot | undefined {
    this.expire();
    const s = this.snapshots.get(id);
    return s?.cameraId === cameraId ? s : undefined;
  }

  /** The newest snapshot of a camera still within its TTL. */
  latest(cameraId: string): Snapshot | undefined {
    this.expire();
    let found: Snapshot | undefined;
    for (const s of this.snapshots.values()) if (s.cameraId === cameraId) found = s;
    return found;
  }

  /** The live snapshots of a camera, oldest first. */
  ofCamera(cameraId: string): Snapshot[] {
    this.expire();
    return [...this.snapshots.values()].filter((s) => s.cameraId === cameraId);
  }

  /** Swaps a snapshot's image (masked again after the masks changed); keeps its id and age. */
  replaceJpeg(id: string, jpeg: Buffer): void {
    const s = this.snapshots.get(id);
    if (s === undefined) return;
    this.bytes += jpeg.length - s.jpeg.length;
    s.jpeg = jpeg;
  }

  /** Drops every snapshot of a camera (its masks changed: what was shown may now be too much). */
  dropCamera(cameraId: string): void {
    for (const [id, s] of this.snapshots) if (s.cameraId === cameraId) this.remove(id, s);
  }

  get size(): { count: number; bytes: number } {
    return { count: this.snapshots.size, bytes: this.bytes };
  }

  /** Answers every waiting request with `stopped` and frees the images. Idempotent. */
  stop(): void {
    this.stopped = true;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      this.waiting.delete(id);
      w.resolve({ ok: false, reason: 'stopped' });
    }
    this.snapshots.clear();
    this.bytes = 0;
  }

  private expire(): void {
    const cutoff = this.clock.now() - this.limits.ttlMs;
    for (const [id, s] of this.snapshots) {
      if (s.storedAt > cutoff) break;
      this.remove(id, s);
    }
  }

  private remove(id: string, s: Snapshot): void {
    this.snapshots.delete(id);
    this.bytes -= sizeOf(s);
  }
}

/** Memory a snapshot holds: its JPEG plus, for labelling, the model's features (~1 MB for 300 slots). */
function sizeOf(s: Snapshot): number {
  const c = s.classified;
  return s.jpeg.length + (c ? c.slots.reduce((a, x) => a + x.features_base64.length + 64, 0) + c.dim * 24 : 0);
}

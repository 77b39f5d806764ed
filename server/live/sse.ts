import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AvailabilityReader } from '../core/availability/reader.ts';
import type { Clock } from '../core/clock.ts';
import type { LiveHub } from './hub.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

/** A client that lets this much unsent data pile up is not reading; it is dropped. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const CLOCK_EVENT_MS = 15_000;

interface Client {
  res: ServerResponse;
  /** null: every lot. */
  lots: Set<string> | null;
  slots: boolean;
  /** Events that arrived while the client's first state was being read; written right after it. */
  pending?: Buffer[];
}

export const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Server-Sent Events fan-out. Each event is serialised once and the same bytes are written to
 * every interested client. `clock` events carry the server time so pages can show an honest
 * "updated N s ago" even when the visitor's clock is wrong; they double as keep-alives.
 */
export class SseBroadcaster {
  private readonly clients = new Set<Client>();
  private readonly timer: PeriodicTimer;
  private closed = false;

  constructor(
    private readonly hub: LiveHub,
    private readonly availability: AvailabilityReader,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.timer = new PeriodicTimer(() => this.broadcast(null, 'clock', this.clockPayload()), {
      everyMs: CLOCK_EVENT_MS,
      name: 'clock event',
      log,
    });
  }

  get size(): number {
    return this.clients.size;
  }

  start(): void {
    this.hub.on('availability', (a) => this.broadcast(a.lot_id, 'availability', a));
    this.hub.on('slots', (s) => this.broadcast(s.lot_id, 'slots', s));
    this.timer.start();
  }

  private clockPayload() {
    return { server_time: new Date(this.clock.now()).toISOString() };
  }

  /**
   * Takes over a response: headers, then the current state of the requested lots, then live events.
   * The client listens from the start, and what is broadcast while its state is read waits behind it:
   * a change is never lost between the read and the subscription. An event older than the state
   * read can follow it; the hub then emits the newer payload again on its next check.
   */
  async attach(res: ServerResponse, lots: string[] | null, slots: boolean): Promise<void> {
    if (this.closed) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Tells nginx not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const client: Client = { res, lots: lots === null ? null : new Set(lots), slots, pending: [] };
    this.clients.add(client);
    res.once('close', () => this.clients.delete(client));
    let first = `retry: 2000\n\n${frame('clock', this.clockPayload())}`;
    try {
      const ids = lots ?? this.availability.catalog.lots().map((l) => l.lotId);
      const states = await Promise.all(
        ids.map((lotId) =>
          Promise.all([
            this.availability.lotAvailability(lotId),
            slots ? this.availability.lotSlots(lotId) : undefined,
          ]),
        ),
      );
      for (const [a, s] of states) {
        if (a !== undefined) first += frame('availability', a);
        if (s !== undefined) first += frame('slots', s);
      }
    } catch (err) {
      // The page's EventSource comes back after `retry`; a half state would be worse than none.
      this.log.error({ err }, 'reading the first state of a live stream failed');
      this.clients.delete(client);
      res.destroy();
      return;
    }
    if (res.writableEnded || res.destroyed) return;
    const waiting = client.pending ?? [];
    delete client.pending;
    res.write(first);
    for (const bytes of waiting) res.write(bytes);
  }

  private broadcast(lotId: string | null, event: 'availability' | 'slots' | 'clock', data: unknown): void {
    if (this.clients.size === 0) return;
    const bytes = Buffer.from(frame(event, data));
    let dropped = 0;
    for (const c of this.clients) {
      if (lotId !== null && c.lots !== null && !c.lots.has(lotId)) continue;
      if (event === 'slots' && !c.slots) continue;
      if (c.res.writableLength > MAX_BUFFERED_BYTES) {
        dropped++;
        this.clients.delete(c);
        c.res.destroy();
        continue;
      }
      if (c.pending !== undefined) c.pending.push(bytes);
      else c.res.write(bytes);
    }
    if (dropped > 0) this.log.warn({ dropped }, 'dropped SSE clients that stopped reading');
  }

  /** Ends every stream, so the HTTP server can close. Idempotent. */
  close(): void {
    this.closed = true;
    this.timer.stop();
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }
}

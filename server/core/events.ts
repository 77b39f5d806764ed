import type { Logger } from 'pino';

/**
 * What one feature tells whoever cares, without knowing who that is. server/main creates one bus and
 * passes it to the features that emit or listen; adding a listener never touches the emitter.
 */
export interface ServerEvents {
  /**
   * Ingest committed a write transaction of slot states or agent health. `lots` are the lots whose
   * slots changed (`null`: unassigned slots). Listeners run on the commit path: they only flag work.
   */
  'ingest.committed': { lots: ReadonlySet<string | null>; health: boolean };
  /** The public view of these lots changed for a reason other than ingest: a booking, a catalog edit. */
  'lots.changed': { lots: readonly (string | null)[] };
}

export type ServerEventName = keyof ServerEvents;
type Listener<K extends ServerEventName> = (payload: ServerEvents[K]) => void;

/** A typed, synchronous event bus. A throwing listener is logged, never breaks the emitter or the others. */
export class EventBus {
  private readonly listeners = new Map<ServerEventName, Set<(payload: never) => void>>();

  constructor(private readonly log: Logger) {}

  /** Adds a listener; returns the function that removes it (for stop()). */
  on<K extends ServerEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) this.listeners.set(name, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => void set.delete(listener as (payload: never) => void);
  }

  emit<K extends ServerEventName>(name: K, payload: ServerEvents[K]): void {
    for (const l of this.listeners.get(name) ?? []) {
      try {
        (l as Listener<K>)(payload);
      } catch (err) {
        this.log.error({ err, event: name }, 'an event listener threw');
      }
    }
  }
}

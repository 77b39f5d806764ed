import type { Logger } from 'pino';
import type { AvailabilityReader, Lot, LotAvailability, LotSlots, PublicChanges } from '../core/availability/reader.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';

export interface HomeAssistantOptions {
  site: string;
  discoveryPrefix: string;
  statePrefix: string;
}

const SLOT_PAYLOAD = { free: 'OFF', occupied: 'ON', unknown: 'None' } as const;

/** The topic the server's last will marks `offline`; every entity points its availability here. */
export const statusTopic = (o: HomeAssistantOptions) => `${o.statePrefix}/${o.site}/status`;

/**
 * Home Assistant MQTT discovery: each lot becomes a device with a "free spaces" sensor, each slot
 * an occupancy binary sensor (`None` makes it unknown in Home Assistant). Config and state topics
 * are retained, so Home Assistant has everything after its own restart; they are republished after
 * every reconnection, because the embedded broker forgets retained messages when it restarts.
 */
export class HomeAssistantPublisher {
  private readonly lastState = new Map<string, string>();
  private stopped = false;
  /** State topics the hub published while publishAll was reading: what it read for them is older. */
  private touched: Set<string> | undefined;

  constructor(
    private readonly conn: MqttConnection,
    private readonly hub: PublicChanges,
    private readonly availability: AvailabilityReader,
    private readonly log: Logger,
    private readonly o: HomeAssistantOptions,
  ) {}

  start(): void {
    this.hub.on('availability', (a) => this.publishLot(a));
    this.hub.on('slots', (s) => this.publishSlots(s));
    this.conn.onConnected(() => void this.publishAll());
    if (this.conn.connected) void this.publishAll();
  }

  private publish(topic: string, payload: string): void {
    if (this.stopped) return;
    this.conn.publish(topic, payload, { qos: 1, retain: true }).catch((err: unknown) => {
      this.log.warn({ err, topic }, 'Home Assistant publish failed');
    });
  }

  private publishState(topic: string, payload: string): void {
    this.touched?.add(topic);
    if (this.lastState.get(topic) === payload) return;
    this.lastState.set(topic, payload);
    this.publish(topic, payload);
  }

  private lotTopic = (lotId: string) => `${this.o.statePrefix}/${this.o.site}/lot/${lotId}/free`;
  private slotTopic = (cameraId: string, slotId: string) =>
    `${this.o.statePrefix}/${this.o.site}/slot/${cameraId}/${slotId}/state`;

  /** Discovery configs and current states of every lot and slot. Never rejects. */
  async publishAll(): Promise<void> {
    const touched = new Set<string>();
    this.touched = touched;
    let read: [Lot, LotAvailability | undefined, LotSlots | undefined][];
    try {
      // Everything is read before anything is published, then published in one synchronous pass.
      const lots = await this.availability.lots();
      read = await Promise.all(
        lots.map(async (l) => {
          const [a, s] = await Promise.all([
            this.availability.lotAvailability(l.lot_id),
            this.availability.lotSlots(l.lot_id),
          ]);
          return [l, a, s] as [Lot, LotAvailability | undefined, LotSlots | undefined];
        }),
      );
    } catch (err) {
      this.log.warn({ err }, 'Home Assistant: reading the lots failed');
      return;
    } finally {
      if (this.touched === touched) this.touched = undefined;
    }
    this.lastState.clear();
    this.publish(statusTopic(this.o), 'online');
    const site = this.o.site;
    for (const [lot, a, slots] of read) {
      const device = {
        identifiers: [`volno_${site}_${lot.lot_id}`],
        name: lot.name,
        manufacturer: 'Volno',
        model: 'Parking lot',
      };
      this.publish(
        `${this.o.discoveryPrefix}/sensor/volno_${site}/${lot.lot_id}_free/config`,
        JSON.stringify({
          name: 'Free spaces',
          unique_id: `volno_${site}_${lot.lot_id}_free`,
          state_topic: this.lotTopic(lot.lot_id),
          unit_of_measurement: 'spaces',
          state_class: 'measurement',
          icon: 'mdi:parking',
          availability_topic: statusTopic(this.o),
          device,
        }),
      );
      for (const slot of slots?.slots ?? []) {
        this.publish(
          `${this.o.discoveryPrefix}/binary_sensor/volno_${site}/${slot.camera_id}_${slot.slot_id}/config`,
          JSON.stringify({
            name: `Space ${slot.label}`,
            unique_id: `volno_${site}_${slot.camera_id}_${slot.slot_id}`,
            device_class: 'occupancy',
            state_topic: this.slotTopic(slot.camera_id, slot.slot_id),
            payload_on: 'ON',
            payload_off: 'OFF',
            availability_topic: statusTopic(this.o),
            device,
          }),
        );
      }
      if (a !== undefined && !touched.has(this.lotTopic(a.lot_id))) this.publishLot(a);
      for (const slot of slots?.slots ?? []) {
        const topic = this.slotTopic(slot.camera_id, slot.slot_id);
        if (!touched.has(topic)) this.publishState(topic, SLOT_PAYLOAD[slot.state]);
      }
    }
  }

  private publishLot(a: LotAvailability): void {
    this.publishState(this.lotTopic(a.lot_id), String(a.free));
  }

  private publishSlots(s: LotSlots): void {
    for (const slot of s.slots)
      this.publishState(this.slotTopic(slot.camera_id, slot.slot_id), SLOT_PAYLOAD[slot.state]);
  }

  /** Marks every entity unavailable (a clean stop sends no last will). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    if (this.conn.connected)
      await this.conn.publish(statusTopic(this.o), 'offline', { qos: 1, retain: true }).catch(() => {});
    this.stopped = true;
  }
}

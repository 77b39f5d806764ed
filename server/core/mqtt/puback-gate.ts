import type { MqttClient } from 'mqtt';

/**
 * The mqtt.js version whose private `_sendPacket` this adapter patches. mqtt.js is pinned to it in
 * package.json, and test/server/core/mqtt/puback-gate.test.ts fails with a message naming it as soon
 * as another version is installed: re-check the reasoning below against the new source, then bump.
 */
export const PUBACK_GATE_MQTT_VERSION = '5.16.0';

/**
 * Decides when a received QoS 1 message may be acknowledged: `holding()` is asked right after the
 * message handler ran, and held PUBACKs go out at the next `release`. The ingest holds them until
 * the write transaction that contains the message has committed.
 */
export interface AckGate {
  holding(): boolean;
  onRelease(fn: () => void): void;
}

type SendPacket = (packet: { cmd: string }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/**
 * Holds QoS 1 PUBACKs until `gate` releases them, by intercepting mqtt.js's private `_sendPacket`.
 * Returns false, changing nothing, when this mqtt.js has no such method.
 *
 * Why not mqtt.js's public hook, `client.handleMessage(packet, callback)`: mqtt.js 5.16 sends the
 * PUBACK from that callback, and its `done` is what lets the parser hand over the next packet
 * (build/lib/client.js `work`/`nextTickWork`, handlers/publish.js). Holding the callback until the
 * commit therefore stops all reading, pings included (mqttjs/MQTT.js#1935), and turns ingest into
 * one transaction per message. Measured against a real Mosquitto 2.0.11 with bench/server/puback.ts
 * (5,000 QoS 1 slot states, two runs of three rounds, ratios to acknowledging on receipt): this gate
 * wrote 208 to 833 messages per transaction at 0.75 to 1.37 times the throughput; holding the
 * handleMessage callback wrote one per transaction, at 0.04 to 0.14 times when the writer is woken as
 * here, and 0.18 to 0.70 times when it commits inside the hook (the table is in that file's header).
 *
 * Here the packet's callback runs at once, so parsing goes on, and only the PUBACK itself waits. A
 * PUBACK held across a reconnection is dropped: its message id belongs to the old connection, and
 * the broker redelivers the message (test/system/server-crash.test.ts kills the server mid-stream).
 */
export function installPubackGate(client: MqttClient, gate: AckGate): boolean {
  const internals = client as unknown as { _sendPacket?: SendPacket };
  if (typeof internals._sendPacket !== 'function') return false;
  const send = internals._sendPacket.bind(client);
  let held: { cmd: string }[] = [];
  internals._sendPacket = (packet, cb, ...rest) => {
    if (packet.cmd === 'puback' && gate.holding()) {
      held.push(packet);
      cb?.();
      return;
    }
    send(packet, cb, ...rest);
  };
  gate.onRelease(() => {
    if (held.length === 0 || !client.connected) return;
    const acks = held;
    held = [];
    for (const p of acks) send(p);
  });
  client.on('close', () => {
    held = [];
  });
  return true;
}

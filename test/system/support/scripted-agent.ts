// A publisher that speaks the agent protocol with known content: every slot report has a known
// seq, state and observation time, so a test can say exactly what the server must end up holding.
import mqtt, { type MqttClient } from 'mqtt';
import { buildTopic, encodeMessage, publishOptions, type PayloadOf } from '../../../protocol/index.ts';
import { SITE } from './configs.ts';

/** The last report sent for one slot. */
export interface SentReport {
  state: 'free' | 'occupied';
  seq: number;
  observedAt: number;
}

export class ScriptedAgent {
  private client: MqttClient | undefined;
  private seq = 0;
  private lastObserved = 0;
  /** Last report per slot id, in publish order. */
  readonly last = new Map<string, SentReport>();
  /** Every state change sent (a report whose state differs from the slot's previous one). */
  changes = 0;
  sent = 0;

  constructor(
    readonly agentId: string,
    readonly cameraId: string,
    readonly sessionId = `session-${agentId}`.padEnd(16, '0').slice(0, 16),
  ) {}

  async start(url: string): Promise<void> {
    this.client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: `scripted-${this.agentId}-${process.pid}`,
      reconnectPeriod: 0,
    });
    const value: PayloadOf<'availability'> = {
      agent_id: this.agentId,
      session_id: this.sessionId,
      connection_seq: 0,
      status: 'online',
      seq: this.seq++,
      sent_at: new Date().toISOString(),
    };
    await this.client.publishAsync(
      buildTopic('availability', { site: SITE, agent: this.agentId }),
      encodeMessage('availability', value),
      publishOptions('availability'),
    );
  }

  /** Publishes the opposite of the slot's last state (QoS 1, retained, as an agent does) and waits for PUBACK. */
  async toggle(slotId: string): Promise<void> {
    const prev = this.last.get(slotId);
    const state = prev?.state === 'occupied' ? 'free' : 'occupied';
    // Strictly increasing observation times: the server ignores a report not newer than the stored one.
    const observedAt = Math.max(Date.now(), this.lastObserved + 1);
    this.lastObserved = observedAt;
    const t = new Date(observedAt).toISOString();
    const seq = this.seq++;
    const value: PayloadOf<'slot_state'> = {
      agent_id: this.agentId,
      session_id: this.sessionId,
      seq,
      sent_at: t,
      camera_id: this.cameraId,
      slot_id: slotId,
      state,
      confidence: 0.9,
      since: t,
      observed_at: t,
      model_id: 'scripted',
      calibration_version: 1,
    };
    await this.client!.publishAsync(
      buildTopic('slot_state', { site: SITE, camera: this.cameraId, slot: slotId }),
      encodeMessage('slot_state', value),
      publishOptions('slot_state'),
    );
    this.last.set(slotId, { state, seq, observedAt });
    this.changes++;
    this.sent++;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }
}

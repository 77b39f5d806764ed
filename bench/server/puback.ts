/**
 * Where the ingest's QoS 1 PUBACK waits for the commit, and what each way costs (issue 14). The same
 * pipeline (mqtt.js subscriber → Ingestor → IngestWriter → SQLite, production batch settings) takes
 * the same messages from one publisher through one real Mosquitto, four ways:
 * - `ack_on_receipt`: mqtt.js's default, the PUBACK as soon as the message is queued. Not safe (a
 *   crash loses what was acknowledged but not committed); the same-run baseline.
 * - `send_packet_gate`: the production adapter, server/core/mqtt/puback-gate.ts.
 * - `handle_message_next_turn`: mqtt.js's public hook, `client.handleMessage(packet, cb)`, with `cb`
 *   held until the writer has committed the message, the writer woken as the gate wakes it.
 * - `handle_message_sync_commit`: the same hook, its callback held only for the writer's flush of
 *   that message: the best handleMessage can do. Since storage is on the async port (issue 14), a
 *   commit can no longer finish inside the hook's synchronous call, so this is a commit per message
 *   awaited, no longer a synchronous one.
 *
 *   npx tsx bench/server/puback.ts [--messages 5000] [--rounds 3] [--modes live,backlog] [--quick]
 *
 * Prints one JSON object; each figure is the median of the rounds, variants interleaved per round.
 * Measured 2026-12-05 on the shared 2-core machine (load average 1.4 to 2.7), Mosquitto 2.0.11,
 * mqtt.js 5.16.0, two runs of `npx tsx bench/server/puback.ts --messages 5000 --rounds 3`, ratio to
 * `ack_on_receipt`:
 *
 *   variant                       messages per transaction   live            backlog
 *   send_packet_gate              385 to 1,000               1.29, 1.16      0.82, 0.75
 *   handle_message_next_turn      1                          0.042, 0.045    0.023, 0.018
 *   handle_message_sync_commit    1                          0.129, 0.118    0.071, 0.062
 *
 * (baseline: 11,710 to 12,563 msg/s live, where the publisher shares the two cores, and 21,368 to
 * 27,624 msg/s backlog.) handleMessage serialises: mqtt.js hands over the next packet only after its
 * callback, so every variant built on it commits one message per transaction (500 to 1,621 msg/s
 * here); the gate commits hundreds per transaction and stays within 0.75 to 1.3 of not waiting for
 * the commit at all. Batches reach hundreds because
 * Mosquitto 2.0.11 does not hold its outgoing window to max_inflight_messages (20) once PUBACKs
 * flow: with 20 PUBACKs held and then released together, it sent 400 more (probed by hand; cf.
 * eclipse-mosquitto/mosquitto#2301). A broker that keeps the window at 20 caps the gate's batches at
 * 20 messages, still 20 times fewer transactions than handleMessage.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { topicFilter } from '../../protocol/index.ts';
import { systemClock } from '../../server/core/clock.ts';
import { Registry } from '../../server/core/metrics/registry.ts';
import { installPubackGate } from '../../server/core/mqtt/puback-gate.ts';
import { Catalog } from '../../server/core/storage/catalog.ts';
import { openSqlDatabase } from '../../server/core/storage/sql/open.ts';
import { commitAckGate } from '../../server/ingest/ack-gate.ts';
import { Ingestor } from '../../server/ingest/ingestor.ts';
import { IngestMetrics } from '../../server/ingest/metrics.ts';
import { IngestWriter } from '../../server/ingest/writer.ts';
import { benchConfig, round, SITE, slotMessages, startBroker, tempDir, worker } from './setup.ts';

const PER_CAMERA = 100;
const PREFIX = 'volno/v1';
const VARIANTS = [
  'ack_on_receipt',
  'send_packet_gate',
  'handle_message_next_turn',
  'handle_message_sync_commit',
] as const;
type Variant = (typeof VARIANTS)[number];

interface Run {
  msg_per_s: number;
  transactions: number;
}

/** Holds mqtt.js's own PUBACK callback until the writer has committed everything it had queued. */
function holdInHandleMessage(client: MqttClient, writer: IngestWriter, sync: boolean): void {
  let waiting: (() => void)[] = [];
  writer.on('drained', () => {
    const w = waiting;
    waiting = [];
    for (const cb of w) cb();
  });
  client.handleMessage = (_packet, cb) => {
    // The commit is async on the port: the callback waits for it (flush() empties the queue at once,
    // so `pending` below would already read 0).
    if (sync) return void writer.flush().then(() => cb(), cb);
    if (writer.pending === 0 || writer.failing) return cb();
    writer.expedite();
    waiting.push(() => cb());
  };
}

type Mode = 'live' | 'backlog';

/**
 * `live`: the subscriber is connected while the publisher sends; the rate is from the publisher's
 * start to the last commit. `backlog`: the broker first queues everything for the subscriber's
 * persistent session (as after a server restart), then the subscriber connects and drains it; the
 * rate is from the connection to the last commit, so the publisher does not share the CPU with it.
 */
async function runVariant(
  variant: Variant,
  mode: Mode,
  url: string,
  messages: { topics: string[]; payloads: string[] },
) {
  const tmp = tempDir();
  const sql = await openSqlDatabase({ engine: 'sqlite', path: join(tmp.dir, 'volno.sqlite') });
  const catalog = new Catalog(sql);
  await catalog.applyConfig(benchConfig(tmp.dir, PER_CAMERA).lots);
  const metrics = new IngestMetrics(new Registry());
  const log = pino({ level: 'silent' });
  // The schema's defaults for the batch; a long TTL so that no sweep runs during the measurement.
  const writer = new IngestWriter(sql, catalog, metrics, systemClock, log, {
    batchMax: 2000,
    batchDelayMs: 20,
    agentTtlS: 3600,
    missedHeartbeats: 3,
    trackGaps: true,
  });
  const ingestor = new Ingestor(writer, metrics, systemClock, log, {
    site: SITE,
    prefix: PREFIX,
    futureToleranceS: 5,
    rejectionLogsPerMinute: 0,
  });
  const filter = topicFilter('slot_state', { site: SITE }, PREFIX);
  // The options MqttConnection uses; a persistent session for the backlog.
  const options = {
    protocolVersion: 4 as const,
    clientId: `bench-puback-${variant}-${mode}-${process.pid}-${Date.now()}`,
    reconnectPeriod: 0,
    keepalive: 30,
    clean: mode === 'live',
  };
  const publish = async () => {
    let startedAt = 0;
    await worker('./publisher-worker.mjs', { url, ...messages, window: 200 }, (m) => {
      if (m.type === 'start') startedAt = m['at'] as number;
    });
    return startedAt;
  };
  if (mode === 'backlog') {
    const first = await mqtt.connectAsync(url, options);
    await first.subscribeAsync(filter, { qos: 1 });
    await first.endAsync();
    await publish();
  }
  const client = mqtt.connect(url, options);
  try {
    if (variant === 'send_packet_gate' && !installPubackGate(client, commitAckGate(writer)))
      throw new Error('this mqtt.js has no _sendPacket: the gate cannot be measured');
    if (variant.startsWith('handle_message')) holdInHandleMessage(client, writer, variant.endsWith('sync_commit'));
    client.on('message', (topic, payload, packet) => ingestor.handle(topic, payload, packet.retain === true));
    await new Promise<void>((ok, fail) => {
      client.once('connect', () => ok());
      client.once('error', fail);
    });
    const connectedAt = Date.now();
    let startedAt = connectedAt;
    if (mode === 'live') {
      await client.subscribeAsync(filter, { qos: 1 });
      startedAt = await publish();
    }
    const count = messages.topics.length;
    // The publisher is done once the broker has everything; the subscriber may still be behind.
    const deadline = Date.now() + 120_000;
    while (metrics.written.get() < count) {
      if (Date.now() > deadline) throw new Error(`${variant}: ${metrics.written.get()} of ${count} written in 120 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const elapsedS = (Date.now() - startedAt) / 1000;
    return { msg_per_s: Math.round(count / elapsedS), transactions: metrics.batches.get() } satisfies Run;
  } finally {
    await client.endAsync(true);
    // Drop the persistent session, or the broker would queue every later round for it too.
    if (mode === 'backlog') await (await mqtt.connectAsync(url, { ...options, clean: true })).endAsync();
    await writer.stop();
    await sql.close();
    tmp.cleanup();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Figures = Record<Variant, { msg_per_s: number; transactions: number; messages_per_transaction: number }>;

function summarise(runs: Map<Variant, Run[]>, count: number) {
  const figures = Object.fromEntries(
    VARIANTS.map((v) => {
      const rs = runs.get(v)!;
      const tx = median(rs.map((x) => x.transactions));
      const rate = median(rs.map((x) => x.msg_per_s));
      return [v, { msg_per_s: rate, transactions: tx, messages_per_transaction: round(count / tx, 1) }];
    }),
  ) as Figures;
  const base = figures.ack_on_receipt.msg_per_s;
  const ratios = Object.fromEntries(
    VARIANTS.slice(1).map((v) => [`ratio_${v}_to_baseline`, round(figures[v].msg_per_s / base, 3)]),
  );
  return { ...figures, ...ratios };
}

export async function benchPuback(count: number, rounds: number, modes: Mode[] = ['live', 'backlog']) {
  const broker = await startBroker();
  const runs = new Map<Mode, Map<Variant, Run[]>>(modes.map((m) => [m, new Map(VARIANTS.map((v) => [v, []]))]));
  try {
    for (let r = 0; r < rounds; r++) {
      // Fresh timestamps each round: the writer would ignore a replay of older observations.
      const messages = slotMessages(count, PER_CAMERA);
      for (const mode of modes)
        for (const v of VARIANTS)
          runs
            .get(mode)!
            .get(v)!
            .push(await runVariant(v, mode, broker.url, messages));
    }
  } finally {
    await broker.stop();
  }
  return {
    broker: broker.kind,
    messages: count,
    rounds,
    baseline: 'ack_on_receipt',
    ...Object.fromEntries(modes.map((m) => [m, summarise(runs.get(m)!, count)])),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '3' },
      modes: { type: 'string', default: 'live,backlog' },
      quick: { type: 'boolean', default: false },
    },
  });
  const modes = values.modes.split(',') as Mode[];
  const count = values.quick ? 3000 : Number(values.messages);
  const rounds = values.quick ? 1 : Number(values.rounds);
  console.log(JSON.stringify(await benchPuback(count, rounds, modes), null, 2));
}

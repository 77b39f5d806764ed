// Time for one update to reach N live SSE clients: from the MQTT publish to the last client, against
// a bare Node HTTP server writing the same event to the same number of clients.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { buildApp } from '../../server/main/app.ts';
import { frame } from '../../server/live/sse.ts';
import { listen } from '../../server/main/server.ts';
import { benchConfig, percentile, round, slotMessages, tempDir } from './setup.ts';

const CLIENTS_SCRIPT = fileURLToPath(new URL('./sse-clients.mjs', import.meta.url));

/** Starts the client process and connects `count` clients; resolves once each has its first event. */
async function clients(
  port: number,
  path: string,
  count: number,
): Promise<{ child: ChildProcess; ready: number; connectMs: number }> {
  const child = fork(CLIENTS_SCRIPT, ['127.0.0.1', String(port), path, String(count)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const t0 = Date.now();
  const ready = await request<{ ready: number }>(child, { type: 'connect' }, 'ready');
  return { child, ready: ready.ready, connectMs: Date.now() - t0 };
}

function request<T>(child: ChildProcess, msg: object, reply: string, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${reply} from SSE clients`)), timeoutMs);
    const on = (m: { type: string }) => {
      if (m.type !== reply) return;
      clearTimeout(timer);
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
    child.send(msg);
  });
}

/** Arms the clients, fires, and returns arrival latencies relative to the moment of firing. */
async function measure(child: ChildProcess, marker: string, fire: () => Promise<void> | void) {
  await request(child, { type: 'watch', marker }, 'watching');
  const arrived = request<{ times: number[] }>(child, {}, 'arrived');
  const t0 = Date.now();
  await fire();
  const times = (await arrived).times.map((t) => t - t0).sort((a, b) => a - b);
  return { first_ms: times[0]!, p50_ms: percentile(times, 50), p99_ms: percentile(times, 99), last_ms: times.at(-1)! };
}

async function closeClients(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.send({ type: 'close' });
  await exited;
}

export async function benchSse(count: number) {
  // Baseline: a bare Node server holding `count` event streams and writing one frame to each.
  const streams = new Set<ServerResponse>();
  const payload = { lot_id: 'lot-0', free: 1 };
  const bareServer = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(frame('availability', payload));
    streams.add(res);
    req.on('close', () => streams.delete(res));
  });
  await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', 511, r));
  const bareClients = await clients((bareServer.address() as AddressInfo).port, '/', count);
  const bare = await measure(bareClients.child, '"free":2', () => {
    const bytes = Buffer.from(frame('availability', { ...payload, free: 2 }));
    for (const res of streams) res.write(bytes);
  });
  await closeClients(bareClients.child);
  for (const res of streams) res.destroy();
  await new Promise((r) => bareServer.close(r));

  // Volno: MQTT publish → ingest → SQLite commit → live hub → SSE to every client.
  const tmp = tempDir();
  const config = benchConfig(tmp.dir, 20);
  const app = await buildApp(config);
  try {
    const { httpUrl, mqttUrl } = await listen(app, config);
    const seed = slotMessages(20 * 5, 20);
    seed.topics.forEach((t, i) => app.volno.ingestor.handle(t, Buffer.from(seed.payloads[i]!), false));
    await app.volno.writer.flush();
    const before = (await app.volno.availability.lotAvailability('lot-0'))!;
    const port = Number(new URL(httpUrl).port);
    const volnoClients = await clients(port, '/api/v1/live?lot=lot-0', count);
    const pub = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
    // Flip one free slot to occupied: the free count drops by one.
    const [slot] = (await app.volno.availability.lotSlots('lot-0'))!.slots.filter((s) => s.state === 'free');
    const at = new Date().toISOString();
    const change = JSON.parse(seed.payloads[0]!) as Record<string, unknown>;
    Object.assign(change, {
      slot_id: slot!.slot_id,
      state: 'occupied',
      seq: 10_000,
      sent_at: at,
      since: at,
      observed_at: at,
    });
    const volno = await measure(volnoClients.child, `"free":${before.free - 1},`, () =>
      pub
        .publishAsync(`volno/v1/${config.site}/camera/cam-0/slot/${slot!.slot_id}/state`, JSON.stringify(change), {
          qos: 1,
        })
        .then(() => {}),
    );
    await pub.endAsync();
    await closeClients(volnoClients.child);
    return {
      clients: count,
      connected: { bare: bareClients.ready, volno: volnoClients.ready },
      connect_all_ms: { bare: bareClients.connectMs, volno: volnoClients.connectMs },
      bare_node_broadcast: bare,
      volno_mqtt_to_clients: volno,
      batch_delay_ms: config.ingest.batch_delay_ms,
      ratio_last_client: round(volno.last_ms / Math.max(1, bare.last_ms), 2),
    };
  } finally {
    await app.close();
    tmp.cleanup();
  }
}

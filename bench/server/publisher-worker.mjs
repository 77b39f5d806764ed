// Publishes precomputed MQTT messages as fast as the broker acknowledges them (QoS 1, a window of
// in-flight messages), like a busy edge agent. Runs in a worker thread so that publishing does not
// compete with the subscriber under test for the same event loop.
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

const { url, topics, payloads, window: inflight } = workerData;
const client = await mqtt.connectAsync(url, {
  protocolVersion: 4,
  reconnectPeriod: 0,
  clientId: `bench-pub-${process.pid}-${Date.now()}`,
});
parentPort.postMessage({ type: 'start', at: Date.now() });
let next = 0;
async function lane() {
  while (next < payloads.length) {
    const i = next++;
    await client.publishAsync(topics[i], payloads[i], { qos: 1 });
  }
}
await Promise.all(Array.from({ length: inflight }, lane));
parentPort.postMessage({ type: 'done', at: Date.now() });
await client.endAsync();

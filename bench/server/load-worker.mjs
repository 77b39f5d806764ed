// A closed-loop HTTP load generator: `connections` keep-alive connections, each sending the next
/* global performance -- a Node global the lint config does not list */
// request as soon as the previous answer is read, for `durationMs`. Reports every latency.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, connections, durationMs, warmupMs, headers } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);

function once() {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, agent, headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - t, status: res.statusCode }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function loop(until, sink) {
  while (performance.now() < until) {
    const r = await once();
    sink?.(r);
  }
}

await Promise.all(Array.from({ length: connections }, () => loop(performance.now() + warmupMs)));
const latencies = [];
const statuses = {};
const start = performance.now();
await Promise.all(
  Array.from({ length: connections }, () =>
    loop(start + durationMs, (r) => {
      latencies.push(r.ms);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    }),
  ),
);
const elapsed = performance.now() - start;
agent.destroy();
parentPort.postMessage({ latencies: Float64Array.from(latencies), elapsedMs: elapsed, statuses });

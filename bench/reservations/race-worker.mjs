// Racing HTTP clients, in a child process so that neither their CPU time nor their event loop is the
/* global performance -- a Node global the lint config does not list */
// server's: `bodies.length` keep-alive connections are opened first (one GET each); on `go` every
// connection sends its one POST at the same instant, each as its own client address (X-Forwarded-For,
// which the server believes from 127.0.0.1). Reports each latency and status.
import { Agent, request } from 'node:http';

const { url, warmPath, path, bodies, addresses } = await new Promise((r) => process.once('message', r));
const target = new URL(url);
const n = bodies.length;
const agent = new Agent({ keepAlive: true, maxSockets: n, maxFreeSockets: n });

function send(method, p, body, address) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: p,
        method,
        agent,
        headers:
          body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': body.length, 'x-forwarded-for': address },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - t, status: res.statusCode }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// n sockets, all idle and connected before the race starts.
await Promise.all(Array.from({ length: n }, () => send('GET', warmPath)));
const buffers = bodies.map((b) => Buffer.from(b));
process.send({ type: 'ready' });
await new Promise((r) => process.once('message', r));
const results = await Promise.all(buffers.map((b, i) => send('POST', path, b, addresses[i])));
agent.destroy();
process.send({ type: 'done', latencies: results.map((r) => r.ms), statuses: results.map((r) => r.status) }, () =>
  process.exit(0),
);

// Availability requests per second and tail latency, against a bare Fastify route serving the same
// bytes, with the same closed-loop load generator (in a worker thread) in the same run.
import Fastify from 'fastify';
import { buildApp } from '../../server/main/app.ts';
import { listen } from '../../server/main/server.ts';
import { benchConfig, percentile, round, slotMessages, tempDir, worker } from './setup.ts';

const PER_CAMERA = 200;

interface LoadResult {
  req_per_s: number;
  /** Event-loop utilisation of the server thread during the run: near 1 means the server was the limit. */
  server_elu: number;
  /** Server event-loop time per request (utilisation / rate): the fair comparison when the client limits. */
  server_us_per_req: number;
  p50_ms: number;
  p99_ms: number;
  statuses: Record<string, number>;
}

async function load(
  url: string,
  o: { connections: number; durationMs: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  let result: { latencies: Float64Array; elapsedMs: number; statuses: Record<string, number> } | undefined;
  const elu0 = performance.eventLoopUtilization();
  await worker(
    './load-worker.mjs',
    { url, connections: o.connections, durationMs: o.durationMs, warmupMs: 500, headers: o.headers ?? {} },
    (m) => {
      result = m as unknown as typeof result;
    },
  );
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const sorted = result!.latencies.sort();
  return {
    req_per_s: Math.round(sorted.length / (result!.elapsedMs / 1000)),
    server_elu: round(elu, 2),
    server_us_per_req: round((elu * 1e6) / (sorted.length / (result!.elapsedMs / 1000)), 1),
    p50_ms: round(percentile(sorted, 50), 2),
    p99_ms: round(percentile(sorted, 99), 2),
    statuses: result!.statuses,
  };
}

export async function benchHttp(o: { connections: number; durationMs: number }) {
  const tmp = tempDir();
  const config = benchConfig(tmp.dir, PER_CAMERA);
  const app = await buildApp(config);
  const bare = Fastify();
  try {
    const { topics, payloads } = slotMessages(PER_CAMERA * 5, PER_CAMERA);
    topics.forEach((t, i) => app.volno.ingestor.handle(t, Buffer.from(payloads[i]!), false));
    await app.volno.writer.flush();
    const { httpUrl } = await listen(app, config);
    const path = '/api/v1/lots/lot-0/availability';
    const body = (await app.inject({ url: path })).body;
    bare.get('/bare', async (_req, reply) => reply.type('application/json; charset=utf-8').send(body));
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareAddress = bare.server.address() as { port: number };

    const baseline = await load(`http://127.0.0.1:${bareAddress.port}/bare`, o);
    const volno = await load(`${httpUrl}${path}`, o);
    const etag = String((await app.inject({ url: path })).headers.etag);
    const revalidated = await load(`${httpUrl}${path}`, { ...o, headers: { 'if-none-match': etag } });
    return {
      path,
      slots_in_lot: PER_CAMERA,
      body_bytes: Buffer.byteLength(body),
      connections: o.connections,
      duration_s: o.durationMs / 1000,
      bare_fastify: baseline,
      volno_availability: volno,
      volno_availability_304: revalidated,
      ratio_req_per_s: round(volno.req_per_s / baseline.req_per_s, 3),
      ratio_server_us_per_req: round(volno.server_us_per_req / baseline.server_us_per_req, 3),
      ratio_p99: round(volno.p99_ms / baseline.p99_ms, 3),
    };
  } finally {
    await bare.close();
    await app.close();
    tmp.cleanup();
  }
}

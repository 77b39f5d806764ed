/**
 * Server benchmarks, each against a baseline measured in the same run:
 * - ingest: slot states per second into SQLite vs a bare mqtt.js subscriber (same broker, same messages);
 * - http: availability requests per second and p99 vs a bare Fastify route serving the same bytes;
 * - sse: time for one MQTT update to reach N live SSE clients vs a bare Node server writing to N streams;
 * - puback (only when named in --only): ingest rate with the PUBACK held until commit, four ways (puback.ts).
 *
 *   npx tsx bench/server/run.ts [--messages 50000] [--connections 50] [--duration 3] [--clients 10000] [--only ingest,http,sse]
 *
 * Prints one JSON object. Compare ratios, not absolute numbers: the machine is shared.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { benchHttp } from './http.ts';
import { benchIngest } from './ingest.ts';
import { benchPuback } from './puback.ts';
import { benchSse } from './sse.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '50000' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '3' },
    clients: { type: 'string', default: '10000' },
    only: { type: 'string', default: 'ingest,http,sse' },
  },
});
const only = new Set(values.only.split(','));
const result: Record<string, unknown> = {
  node: process.version,
  cpus: cpus().length,
  load_average_1m: Math.round((await import('node:os')).loadavg()[0]! * 100) / 100,
};
if (only.has('ingest')) result['ingest'] = await benchIngest(Number(values.messages));
if (only.has('http'))
  result['http'] = await benchHttp({
    connections: Number(values.connections),
    durationMs: Number(values.duration) * 1000,
  });
if (only.has('sse')) result['sse'] = await benchSse(Number(values.clients));
if (only.has('puback')) result['puback'] = await benchPuback(Math.min(Number(values.messages), 5000), 3);
console.log(JSON.stringify(result, null, 2));

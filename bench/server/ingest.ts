// Ingest rate into SQLite against a bare mqtt.js subscriber, through the same broker, same messages.
import mqtt from 'mqtt';
import { buildApp } from '../../server/main/app.ts';
import { benchConfig, round, slotMessages, startBroker, tempDir, worker } from './setup.ts';

const PER_CAMERA = 100;

async function publishAll(
  url: string,
  messages: { topics: string[]; payloads: string[] },
): Promise<{ startedAt: number }> {
  let startedAt = 0;
  await worker('./publisher-worker.mjs', { url, ...messages, window: 200 }, (m) => {
    if (m.type === 'start') startedAt = m['at'] as number;
  });
  return { startedAt };
}

async function until(done: () => boolean, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
  return Date.now();
}

export async function benchIngest(count: number) {
  const broker = await startBroker();
  const messages = slotMessages(count, PER_CAMERA);
  try {
    // Baseline: a bare subscriber that only counts.
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    let received = 0;
    sub.on('message', () => received++);
    await sub.subscribeAsync('volno/v1/+/camera/+/slot/+/state', { qos: 1 });
    const bareDone = until(() => received >= count, 120_000);
    const bare = await publishAll(broker.url, messages);
    const bareMs = (await bareDone) - bare.startedAt;
    await sub.endAsync();

    // Volno: validation, sessions, current state, history, in SQLite transactions.
    const tmp = tempDir();
    const app = await buildApp(benchConfig(tmp.dir, PER_CAMERA, { mqtt: { broker_url: broker.url } }));
    try {
      const written = () => app.volno.metrics.written.get();
      const volnoDone = until(() => written() >= count, 120_000);
      const run = await publishAll(broker.url, messages);
      const volnoMs = (await volnoDone) - run.startedAt;
      const transitions = (await app.volno.sql.one<{ n: number }>('SELECT count(*) AS n FROM transitions'))!.n;
      const bareRate = count / (bareMs / 1000);
      const volnoRate = count / (volnoMs / 1000);
      return {
        broker: broker.kind,
        messages: count,
        slots: PER_CAMERA * 5,
        bare_subscriber_msg_per_s: Math.round(bareRate),
        volno_sqlite_msg_per_s: Math.round(volnoRate),
        ratio_volno_to_bare: round(volnoRate / bareRate, 3),
        transactions: app.volno.metrics.batches.get(),
        transitions_written: transitions,
        rejected: app.volno.metrics.rejected.entries().reduce((n, [, v]) => n + v, 0),
      };
    } finally {
      await app.close();
      tmp.cleanup();
    }
  } finally {
    await broker.stop();
  }
}

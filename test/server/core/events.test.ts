import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../server/core/events.ts';

function capturingLogger(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

describe('EventBus', () => {
  it('delivers to every listener in order, and a throwing listener is logged without stopping the others', () => {
    const { log, lines } = capturingLogger();
    const bus = new EventBus(log);
    const seen: string[] = [];
    bus.on('lots.changed', (e) => seen.push(`first ${e.lots.join(',')}`));
    bus.on('lots.changed', () => {
      throw new Error('listener broke');
    });
    bus.on('lots.changed', (e) => seen.push(`third ${e.lots.join(',')}`));

    expect(() => bus.emit('lots.changed', { lots: ['north'] })).not.toThrow();
    expect(seen).toEqual(['first north', 'third north']);
    expect(lines).toMatchObject([{ level: 50, event: 'lots.changed', msg: 'an event listener threw' }]);
  });

  it('stops delivering to a listener once its off function ran, and keeps events apart', () => {
    const bus = new EventBus(capturingLogger().log);
    const seen: unknown[] = [];
    const off = bus.on('ingest.committed', (e) => seen.push([...e.lots]));
    bus.on('lots.changed', () => seen.push('wrong event'));

    bus.emit('ingest.committed', { lots: new Set(['north', null]), health: false });
    off();
    bus.emit('ingest.committed', { lots: new Set(['south']), health: false });
    expect(seen).toEqual([['north', null]]);
  });
});

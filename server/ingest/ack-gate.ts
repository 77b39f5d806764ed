import type { AckGate } from '../core/mqtt/puback-gate.ts';
import type { IngestWriter } from './writer.ts';

/**
 * PUBACK only once the message's write transaction has committed: a message the broker considers
 * delivered is then one the server has stored. The broker allows only a few unacknowledged
 * messages in flight (Mosquitto: 20), so a held PUBACK makes the writer commit on the next turn
 * rather than after its batch delay; the messages parsed from the same socket read share that
 * transaction. Nothing is held while the database is failing (see `IngestWriter.failing`).
 */
export function commitAckGate(writer: IngestWriter): AckGate {
  return {
    holding: () => {
      if (writer.pending === 0 || writer.failing) return false;
      writer.expedite();
      return true;
    },
    onRelease: (fn) => writer.on('drained', fn),
  };
}

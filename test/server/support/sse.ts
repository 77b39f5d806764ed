import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { waitFor } from '../../fixtures/process.ts';

export interface SseEvent {
  event: string;
  data: unknown;
}

/** A minimal EventSource for tests: collects parsed events until closed. */
export class SseClient {
  readonly events: SseEvent[] = [];
  private req: ClientRequest | undefined;
  response: IncomingMessage | undefined;
  ended = false;

  static async open(url: string): Promise<SseClient> {
    const c = new SseClient();
    await new Promise<void>((resolve, reject) => {
      c.req = get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
        c.response = res;
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event !== undefined && data !== undefined) c.events.push({ event, data: JSON.parse(data) });
          }
        });
        res.on('end', () => (c.ended = true));
        res.on('close', () => (c.ended = true));
        resolve();
      });
      c.req.on('error', reject);
    });
    return c;
  }

  of<T = Record<string, unknown>>(event: string): T[] {
    return this.events.filter((e) => e.event === event).map((e) => e.data as T);
  }

  async waitFor<T = Record<string, unknown>>(event: string, pred: (d: T) => boolean, timeoutMs = 5000): Promise<T> {
    return waitFor(() => this.of<T>(event).find(pred), { timeoutMs, intervalMs: 5, what: `SSE ${event} event` });
  }

  close(): void {
    this.req?.destroy();
  }
}

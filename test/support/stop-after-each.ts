import { afterEach } from 'vitest';

type Part = { stop(): Promise<void> } | { close(): Promise<void> };

/**
 * For end-to-end tests that start several real parts (server, agent, browser): registers an afterEach
 * that stops every part the test kept, the last started first, also when the test failed half-way.
 * Returns `keep`, which hands its argument back so a start reads `server = keep(await start…())`.
 */
export function stopAfterEach(): <T extends Part>(part: T) => T {
  const parts: Part[] = [];
  afterEach(async () => {
    for (const part of parts.splice(0).reverse()) await ('stop' in part ? part.stop() : part.close());
  });
  return (part) => {
    parts.push(part);
    return part;
  };
}

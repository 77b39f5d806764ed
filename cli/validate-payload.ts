import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MESSAGE_KINDS, decodeMessage, type MessageKind } from '../protocol/index.ts';

/** `volno validate-payload <kind> [file]`: checks a payload against the MQTT contract, for people debugging a device. */
export function validatePayloadCommand(program: Command): void {
  program
    .command('validate-payload')
    .description(`check a JSON payload against the MQTT contract; kind is one of: ${MESSAGE_KINDS.join(', ')}`)
    .argument('<kind>', 'message kind')
    .argument('[file]', 'payload file; standard input when omitted or "-"')
    .action((kind: string, file?: string) => {
      if (!(MESSAGE_KINDS as string[]).includes(kind)) {
        console.error(`unknown kind "${kind}"; use one of: ${MESSAGE_KINDS.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      const raw = readFileSync(file === undefined || file === '-' ? 0 : file);
      const result = decodeMessage(kind as MessageKind, raw);
      if (result.ok) {
        console.log(`valid ${kind}`);
        return;
      }
      console.error(result.error.issues.length > 0 ? result.error.issues.join('\n') : result.error.message);
      process.exitCode = 1;
    });
}

import type { Command } from 'commander';

/** Registers `volno server` and `volno backup`. Replaced by the agent's real entry point in issue #5. */
export function registerServerCommands(program: Command): void {
  program
    .command('server')
    .description('run the server: MQTT ingest, history, HTTP API and web pages (not available yet: issue #5)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      console.error('volno server is not available in this version yet; it is planned in issue #5.');
      process.exitCode = 2;
    });
}

import type { Command } from 'commander';

/** Registers `volno edge`. Replaced by the agent's real entry point in issue #4. */
export function registerEdgeCommands(program: Command): void {
  program
    .command('edge')
    .description('run an edge agent: cameras in, slot states out over MQTT (not available yet: issue #4)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      console.error('volno edge is not available in this version yet; it is planned in issue #4.');
      process.exitCode = 2;
    });
}

import type { Command } from 'commander';

/** Registers `volno eval`. Replaced by the agent's real entry point in issue #3. */
export function registerModelCommands(program: Command): void {
  program
    .command('eval')
    .description('measure a model on labelled frames of cameras it has not seen (not available yet: issue #3)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      console.error('volno eval is not available in this version yet; it is planned in issue #3.');
      process.exitCode = 2;
    });
}

import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands.ts';
import { VERSION } from '../kit/version.ts';

const program = new Command('volno')
  .description('Volno: edge computer-vision parking occupancy.')
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

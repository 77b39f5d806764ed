import type { Command } from 'commander';
import { registerEdgeCommands } from '../edge/cli.ts';
import { registerModelCommands } from '../models/cli.ts';
import { loadStaffConfig, loadStorageConfig, registerServerCommands } from '../server/main/cli.ts';
import { registerDbCommands } from '../server/core/storage/sql/cli.ts';
import { registerUserCommands } from '../server/staff/cli.ts';
import { registerDemoCommand } from './demo.ts';
import { validatePayloadCommand } from './validate-payload.ts';

/** Subcommands whose implementation has not landed yet; each names the issue that delivers it. */
const PLANNED: ReadonlyArray<[name: string, summary: string, issue: number]> = [];

/** Each part registers its own subcommands, so the CLI never needs to know their options. */
export function registerCommands(program: Command): void {
  validatePayloadCommand(program);
  registerEdgeCommands(program);
  registerServerCommands(program);
  registerDbCommands(program, loadStorageConfig);
  registerUserCommands(program, loadStaffConfig);
  registerModelCommands(program);
  registerDemoCommand(program);
  for (const [name, summary, issue] of PLANNED) {
    program
      .command(name)
      .description(`${summary} (not available yet: issue #${issue})`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        console.error(`volno ${name} is not available in this version yet; it is planned in issue #${issue}.`);
        process.exitCode = 2;
      });
  }
}

import closeWithGrace from 'close-with-grace';
import type { Command } from 'commander';
import { VERSION } from '../kit/version.ts';
import { Agent } from './agent/agent.ts';
import { checkConfigFiles } from './config/check-files.ts';
import { loadConfig, type LoadedConfig } from './config/load.ts';
import { EdgeError, errorMessage } from './errors.ts';
import { createLogger } from './log.ts';

interface EdgeOptions {
  config: string;
  validateConfig?: boolean;
}

/** Registers `volno edge`: the process entry of the agent. It alone handles signals. */
export function registerEdgeCommands(program: Command): void {
  program
    .command('edge')
    .description('run an edge agent: cameras in, slot states out over MQTT')
    .requiredOption('-c, --config <file>', 'agent config file (YAML); see edge/edge.example.yaml')
    .option('--validate-config', 'check the config and every file it names, print `path: message` lines, and exit')
    .action(async (opts: EdgeOptions) => {
      process.exitCode = opts.validateConfig ? await validate(opts.config) : await run(opts.config);
    });
}

async function load(file: string): Promise<LoadedConfig | null> {
  try {
    return await loadConfig(file);
  } catch (err) {
    if (err instanceof EdgeError && err.issues.length > 0) {
      console.error(`${file}: invalid config`);
      for (const line of err.issues) console.error(line);
    } else console.error(errorMessage(err));
    return null;
  }
}

async function validate(file: string): Promise<number> {
  const loaded = await load(file);
  if (!loaded) return 1;
  const issues = await checkConfigFiles(loaded.config);
  if (issues.length > 0) {
    console.error(`${file}: invalid config`);
    for (const line of issues) console.error(line);
    return 1;
  }
  console.log(
    `${file}: valid (${loaded.config.cameras.length} camera${loaded.config.cameras.length === 1 ? '' : 's'})`,
  );
  return 0;
}

async function run(file: string): Promise<number> {
  const loaded = await load(file);
  if (!loaded) return 1;
  const log = createLogger({ level: loaded.config.log_level });
  const agent = new Agent(loaded.config, { log, version: VERSION });
  // SIGTERM/SIGINT: publish `stopped`, stop ffmpeg, save state, exit 0 (close-with-grace exits 1 if
  // that takes longer than the delay, or on a second signal).
  const grace = closeWithGrace(
    { delay: 15_000, logger: { error: (m: unknown) => log.error(m) } },
    async ({ signal, err }) => {
      if (err) log.error({ err }, 'fatal error; shutting down');
      else log.info({ signal }, 'shutting down');
      await agent.stop();
    },
  );
  try {
    await agent.start();
  } catch (err) {
    log.fatal({ err: errorMessage(err) }, 'edge agent failed to start');
    grace.uninstall(); // its beforeExit hook would turn this failure into exit code 0
    await agent.stop();
    return 1;
  }
  return 0;
}

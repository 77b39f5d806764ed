import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type ConfigOverrides } from './config/load.ts';
import type { LoadStaffConfig } from '../staff/cli.ts';
import type { LoadStorageConfig } from '../core/storage/sql/cli.ts';
import { ServerError } from '../core/errors.ts';
import { runServer } from './server.ts';
import { backupDatabase } from '../core/storage/backup.ts';
import { storageTarget } from '../core/storage/config.ts';

const portNumber = (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65_535)
    throw new InvalidArgumentError('must be a port number, 0–65535 (0 picks a free one)');
  return n;
};

/** The server's own config loader, for the commands that open its storage without running it. */
const loadForCommand = (file: string | undefined, dataDir: string | undefined) =>
  loadConfig({ file, overrides: dataDir !== undefined ? { dataDir } : {} });

/** How `volno user …` (server/staff/cli.ts) finds the database. */
export const loadStaffConfig: LoadStaffConfig = loadForCommand;
/** How `volno db …` (server/core/storage/sql/cli.ts) finds the database when no --url names one. */
export const loadStorageConfig: LoadStorageConfig = loadForCommand;

interface ServerFlags {
  config?: string;
  port?: number;
  data?: string;
  mqttPort?: number;
  broker?: string;
  validateConfig?: boolean;
}

const overrides = (f: ServerFlags): ConfigOverrides => ({
  ...(f.port !== undefined ? { port: f.port } : {}),
  ...(f.data !== undefined ? { dataDir: f.data } : {}),
  ...(f.mqttPort !== undefined ? { mqttPort: f.mqttPort } : {}),
  ...(f.broker !== undefined ? { brokerUrl: f.broker } : {}),
});

/** Prints a config or startup error for a person: the problem lines, then exits 2 (bad config) or 1. */
function fail(err: unknown): void {
  if (err instanceof ServerError) {
    console.error(`${err.code}: ${err.message.split('\n')[0]}`);
    for (const line of err.issues) console.error(`  ${line}`);
    process.exitCode = err.code.startsWith('VOLNO_CONFIG') ? 2 : 1;
    return;
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
}

/** Registers `volno server` and `volno backup`. */
export function registerServerCommands(program: Command): void {
  program
    .command('server')
    .description('run the server: MQTT ingest (embedded broker unless --broker), history, HTTP API and public page')
    .option('-c, --config <file>', 'YAML or JSON config file')
    .option('-p, --port <n>', 'HTTP port (overrides http.port; 0 picks a free one)', portNumber)
    .option('-d, --data <dir>', 'data directory (overrides data_dir; holds the database with storage engine sqlite)')
    .option('--mqtt-port <n>', 'embedded broker port (overrides mqtt.embedded.port; 0 picks a free one)', portNumber)
    .option('--broker <url>', 'use this MQTT broker instead of the embedded one, e.g. mqtt://127.0.0.1:1883')
    .option('--validate-config', 'only check the configuration and print path: message lines')
    .action(async (flags: ServerFlags) => {
      try {
        if (flags.validateConfig === true) {
          loadConfig({ file: flags.config, overrides: overrides(flags) });
          console.log('configuration is valid');
          return;
        }
        await runServer({ file: flags.config, overrides: overrides(flags) });
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('backup')
    .description('copy the server database to <file> while the server keeps running (SQLite online backup)')
    .argument('<file>', 'target file; must not exist')
    .option('-c, --config <file>', 'config file, to find data_dir')
    .option('-d, --data <dir>', 'data directory (overrides data_dir)')
    .action(async (file: string, flags: { config?: string; data?: string }) => {
      try {
        const config = loadConfig({
          file: flags.config,
          overrides: flags.data !== undefined ? { dataDir: flags.data } : {},
        });
        // On PostgreSQL this refuses and names pg_dump (docs/deployment.md, "Backup").
        const result = await backupDatabase(storageTarget(config), file);
        console.log(JSON.stringify(result));
      } catch (err) {
        fail(err);
      }
    });
}

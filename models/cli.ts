import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { VisionError } from '../edge/vision/index.ts';
import { formatReport, progressLine } from './eval/format.ts';
import { evaluateFolder } from './eval/run-eval.ts';
import { MODELS_DIR } from './paths.ts';

/** The model `volno eval` uses when `--model` is not given: the one this repo trains and ships. */
export const DEFAULT_MODEL_ID = 'volno-slotnet-v1';

/** `--model` takes an id under models/ or a path to a folder holding model.json. */
export function resolveModelDir(model: string): string {
  const asPath = resolve(model);
  if (existsSync(join(asPath, 'model.json'))) return asPath;
  return join(MODELS_DIR, model);
}

/** Registers `volno eval`. */
export function registerModelCommands(program: Command): void {
  program
    .command('eval')
    .description('measure a model on labelled frames (the datasets README format), searched recursively')
    .argument('<folder>', 'folder searched recursively for labelled-frame *.json files')
    .option('-m, --model <id|dir>', 'model id under models/, or a folder with model.json', DEFAULT_MODEL_ID)
    .option('--json', 'print one JSON object instead of the report')
    .option('--threads <n>', 'onnxruntime intra-op threads', '1')
    .action(async (folder: string, opts: { model: string; json?: boolean; threads: string }) => {
      const threads = Number(opts.threads);
      if (!Number.isInteger(threads) || threads < 1) {
        console.error(`--threads must be a positive integer, got ${opts.threads}`);
        process.exitCode = 2;
        return;
      }
      if (!existsSync(folder)) {
        console.error(`no such folder: ${folder}`);
        process.exitCode = 2;
        return;
      }
      const tty = process.stderr.isTTY === true;
      let report;
      try {
        report = await evaluateFolder(folder, resolveModelDir(opts.model), {
          threads,
          onProgress: tty ? (done, total) => process.stderr.write(progressLine(done, total)) : undefined,
        });
      } catch (err) {
        if (tty) process.stderr.write('\n');
        if (err instanceof VisionError) {
          console.error(`${err.code}: ${err.message}`);
          process.exitCode = 1;
          return;
        }
        throw err;
      }
      if (tty) process.stderr.write('\n');
      if (report.frames === 0) {
        console.error(`no labelled frames found under ${folder}`);
        for (const r of report.rejected) console.error(`  ${r.path}: ${r.reason}`);
        process.exitCode = 1;
        return;
      }
      console.log(opts.json ? JSON.stringify(report) : formatReport(report));
    });
}

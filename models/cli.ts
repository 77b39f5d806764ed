import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { VisionError } from '../edge/vision/index.ts';
import { formatAdapt, formatReport, progressLine } from './eval/format.ts';
import { evaluateAdapted } from './eval/adapt.ts';
import { evaluateFolder } from './eval/run-eval.ts';
import { MODELS_DIR } from './paths.ts';

/** The model `volno eval` uses when `--model` is not given: the one this repo trains and ships. */
export const DEFAULT_MODEL_ID = 'volno-yolox-slot-v1';

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
    .option(
      '--adapt <k>',
      'per camera folder, take K labelled frames as staff labels (tuned head, per-slot exemplars), score the rest',
    )
    .option('--seed <s>', 'which frames --adapt takes (a seeded draw)', '1')
    .action(
      async (
        folder: string,
        opts: { model: string; json?: boolean; threads: string; adapt?: string; seed: string },
      ) => {
        const threads = Number(opts.threads);
        if (!Number.isInteger(threads) || threads < 1) {
          console.error(`--threads must be a positive integer, got ${opts.threads}`);
          process.exitCode = 2;
          return;
        }
        const adapt = opts.adapt === undefined ? undefined : Number(opts.adapt);
        const seed = Number(opts.seed);
        if (adapt !== undefined && (!Number.isInteger(adapt) || adapt < 1 || adapt > 1000)) {
          console.error(`--adapt must be an integer from 1 to 1000, got ${opts.adapt}`);
          process.exitCode = 2;
          return;
        }
        if (!Number.isInteger(seed) || seed < 0) {
          console.error(`--seed must be a non-negative integer, got ${opts.seed}`);
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
        let adapted;
        try {
          report = await evaluateFolder(folder, resolveModelDir(opts.model), {
            threads,
            onProgress: tty ? (done, total) => process.stderr.write(progressLine(done, total)) : undefined,
          });
          if (adapt !== undefined) {
            adapted = await evaluateAdapted(folder, resolveModelDir(opts.model), { frames: adapt, seed, threads });
          }
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
        if (adapted) {
          const extra = {
            adapt_frames: adapted.adapt_frames,
            adapt_seed: adapted.seed,
            accuracy_generic: adapted.accuracy_generic,
            accuracy_head_only: adapted.accuracy_head_only,
            accuracy_adapted: adapted.accuracy_adapted,
            adapt_slots: adapted.slots,
            exemplars: adapted.exemplars,
            adapt_per_folder: adapted.per_folder,
          };
          console.log(
            opts.json ? JSON.stringify({ ...report, ...extra }) : `${formatReport(report)}\n\n${formatAdapt(adapted)}`,
          );
          return;
        }
        console.log(opts.json ? JSON.stringify(report) : formatReport(report));
      },
    );
}

import { spawn } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDataset } from '../support/datasets.ts';
import { detectorDir, REPO, tempDir } from '../vision/helpers.ts';

const bin = join(REPO, 'bin/volno.mjs');

function volno(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.remove();
});

/** A tiny labelled folder: two real UFPR05 frames (linked, not copied) in two sub-folders, plus junk. */
let tiny: Promise<string> | undefined;
const tinyFolder = (seq: string): Promise<string> => (tiny ??= buildTinyFolder(seq));

async function buildTinyFolder(seq: string): Promise<string> {
  const root = join(tmp.dir, 'tiny');
  const names = ['2013-04-12_14_20_09', '2013-04-12_14_45_09'];
  for (const [i, name] of names.entries()) {
    const sub = join(root, `cam${i}`);
    await mkdir(sub, { recursive: true });
    await symlink(join(seq, `${name}.png`), join(sub, `${name}.png`));
    await writeFile(join(sub, `${name}.json`), await readFile(join(seq, `${name}.json`)));
  }
  await writeFile(join(root, 'cam0', 'broken.json'), JSON.stringify({ image: 'x.png', slots: 'nope' }));
  await writeFile(join(root, 'cam1', 'notes.json'), JSON.stringify({ unrelated: true }));
  return root;
}

describe('volno eval', () => {
  it('prints one JSON object with the agreed fields, a per-folder breakdown and the skipped files', async (ctx) => {
    const folder = await tinyFolder(requireDataset(ctx, 'pklot-ufpr05/sequence5/frames'));
    const r = await volno(['eval', folder, '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown> & {
      per_folder: { folder: string; frames: number; slots: number }[];
      rejected: { path: string; reason: string }[];
      confusion: Record<string, number>;
    };
    expect(report).toMatchObject({ model_id: 'volno-yolox-slot-v1', frames: 2, slots: 80 });
    for (const key of [
      'accuracy',
      'f1_occupied',
      'precision_occupied',
      'recall_occupied',
      'ms_per_frame',
      'ms_per_slot',
    ]) {
      expect(typeof report[key]).toBe('number');
    }
    expect(report['ms_per_frame']).toBeGreaterThan(0);
    expect(Object.values(report.confusion).reduce((a, b) => a + b, 0)).toBe(80);
    expect(report.per_folder.map((f) => [f.folder, f.frames, f.slots])).toEqual([
      ['cam0', 1, 40],
      ['cam1', 1, 40],
    ]);
    expect(report.rejected).toEqual([
      { path: join(folder, 'cam0', 'broken.json'), reason: expect.stringContaining('/slots') },
    ]);
    expect(r.stderr).toBe(''); // no progress bar when stderr is not a terminal
  });

  it('prints the readable report with a confusion matrix for a detector given as a model folder', async (ctx) => {
    const folder = await tinyFolder(requireDataset(ctx, 'pklot-ufpr05/sequence5/frames'));
    const dir = join(tmp.dir, 'yolox');
    await mkdir(dir, { recursive: true });
    await detectorDir(dir, 'yolox-nano', requireDataset(ctx, 'models/yolox-nano/yolox_nano.onnx'));
    const r = await volno(['eval', folder, '--model', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/model yolox-nano \(yolox/);
    expect(r.stdout).toMatch(/actual occupied\s+\d+\s+\d+/);
    expect(r.stdout).toMatch(/ms per slot/);
  });

  it('--adapt takes K labelled frames per camera folder as staff labels and scores the rest, repeatably', async (ctx) => {
    const seq = requireDataset(ctx, 'pklot-ufpr05/sequence4/frames');
    const args = ['eval', seq, '--adapt', '1', '--seed', '3', '--json'];
    const a = await volno(args);
    expect(a.status).toBe(0);
    const report = JSON.parse(a.stdout) as Record<string, unknown> & {
      adapt_per_folder: {
        labels: number;
        frames: number;
        label_frames: string[];
        tuned_head_shipped: boolean;
        exemplars: number;
      }[];
    };
    expect(report).toMatchObject({ adapt_frames: 1, adapt_seed: 3, frames: 5, slots: 200 });
    for (const key of ['accuracy_generic', 'accuracy_head_only', 'accuracy_adapted']) {
      expect(typeof report[key]).toBe('number');
    }
    // One folder of five frames: one labelled (40 slots), four scored. One frame ships no tuned head
    // (MIN_FRAMES 2) but ships its 40 slots as exemplars: UFPR05 keeps a slot's id from frame to frame.
    expect(report.adapt_per_folder).toHaveLength(1);
    expect(report.adapt_per_folder[0]).toMatchObject({
      labels: 40,
      frames: 4,
      tuned_head_shipped: false,
      exemplars: 40,
    });
    expect(report['adapt_slots']).toBe(160);
    expect(report['exemplars']).toBe(40);
    const b = await volno(args);
    expect(JSON.parse(b.stdout)).toMatchObject({
      accuracy_head_only: report['accuracy_head_only'],
      accuracy_adapted: report['accuracy_adapted'],
      exemplars: 40,
      adapt_per_folder: [{ label_frames: report.adapt_per_folder[0]!.label_frames }],
    });
  });

  it('refuses --adapt for a model without features, and a bad K', async (ctx) => {
    const seq = requireDataset(ctx, 'pklot-ufpr05/sequence4/frames');
    const slotnet = await volno(['eval', seq, '--adapt', '1', '--model', 'volno-slotnet-v1']);
    expect(slotnet.status).toBe(1);
    expect(slotnet.stderr).toMatch(/no features output/);
    const bad = await volno(['eval', seq, '--adapt', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--adapt must be/);
  });

  it('exits 1 with the error code when the model does not exist', async () => {
    const r = await volno(['eval', tmp.dir, '--model', 'no-such-model']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^VOLNO_MODEL_MANIFEST_INVALID: /);
  });
});

import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import { SchemaCodec } from '../../protocol/index.ts';

const Point = Type.Tuple([Type.Number(), Type.Number()]);

/** The labelled-frame format of shared/datasets/README.md: one JSON next to each image. */
export const LabelledFrameSchema = Type.Object(
  {
    image: Type.String({
      minLength: 1,
      title: 'Image',
      description: 'Image file, relative to the JSON (or absolute).',
    }),
    width: Type.Integer({ minimum: 1, title: 'Width', description: 'Image width in pixels.' }),
    height: Type.Integer({ minimum: 1, title: 'Height', description: 'Image height in pixels.' }),
    slots: Type.Array(
      Type.Object(
        {
          id: Type.String({ title: 'Slot id', description: 'Slot id (may be a per-image index).' }),
          polygon: Type.Array(Point, { minItems: 3, title: 'Polygon', description: 'Outline in image pixels.' }),
          occupied: Type.Boolean({ title: 'Occupied', description: 'Ground truth.' }),
        },
        { additionalProperties: true },
      ),
      { title: 'Slots', description: 'Labelled slots of this frame.' },
    ),
  },
  { additionalProperties: true, title: 'Labelled frame', description: 'One labelled image.' },
);
export type LabelledFrameFile = Static<typeof LabelledFrameSchema>;

const codec = new SchemaCodec(LabelledFrameSchema);

export interface LabelledFrame extends LabelledFrameFile {
  /** Absolute path of the JSON file. */
  readonly jsonPath: string;
  /** Absolute path of the image. */
  readonly imagePath: string;
  /** Folder of the JSON relative to the searched root ("." for the root itself). */
  readonly folder: string;
}

export interface Rejected {
  readonly path: string;
  readonly reason: string;
}

/**
 * Finds every `*.json` under `root` that has `image` and `slots` (other JSON files, such as
 * manifests, are ignored), validates it, and returns the frames sorted by path. Files that look like
 * labelled frames but are malformed are returned in `rejected` with the reason, never silently used.
 */
export async function findLabelledFrames(root: string): Promise<{ frames: LabelledFrame[]; rejected: Rejected[] }> {
  const base = resolve(root);
  const frames: LabelledFrame[] = [];
  const rejected: Rejected[] = [];
  for (const path of (await listJson(base)).sort()) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      rejected.push({ path, reason: `not JSON: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    if (typeof value !== 'object' || value === null || !('image' in value) || !('slots' in value)) continue;
    const result = codec.check(value);
    if (!result.ok) {
      rejected.push({ path, reason: result.error.issues.join('; ') });
      continue;
    }
    const folder = relative(base, dirname(path)) || '.';
    frames.push({ ...result.value, jsonPath: path, imagePath: resolve(dirname(path), result.value.image), folder });
  }
  return { frames, rejected };
}

async function listJson(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listJson(path)));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(path);
  }
  return out;
}

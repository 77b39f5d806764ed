import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { KnownSpell } from './slot-tracker.ts';

const Spell = Type.Object(
  {
    state: Type.Enum(['free', 'occupied'] as const),
    since: Type.String({ format: 'date-time' }),
    last_confirmed_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** The state file: small, human-readable, one object per camera. */
const StateFile = Type.Object(
  {
    version: Type.Literal(1),
    saved_at: Type.String({ format: 'date-time' }),
    cameras: Type.Record(
      Type.String(),
      Type.Object(
        { calibration_version: Type.Integer({ minimum: 0 }), slots: Type.Record(Type.String(), Spell) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
type StateFile = Static<typeof StateFile>;
const validator = Compile(StateFile);

export interface CameraState {
  calibrationVersion: number;
  spells: Map<string, KnownSpell>;
}

/**
 * Persists each slot's last known spell so `since` survives a restart. Written atomically (temp file
 * + rename) so a power cut leaves the old file or the new one, never half of one. A missing or
 * damaged file only costs continuity: every slot then starts `unknown`, as without a file.
 */
export class StateStore {
  constructor(readonly file: string) {}

  /** Reads the file; `null` when absent. Throws with the reason when it is damaged. */
  async load(): Promise<Map<string, CameraState> | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const parsed: unknown = JSON.parse(text);
    if (!validator.Check(parsed)) throw new Error(`state file ${this.file} does not match its format`);
    const out = new Map<string, CameraState>();
    for (const [cameraId, cam] of Object.entries(parsed.cameras)) {
      const spells = new Map<string, KnownSpell>();
      for (const [slotId, s] of Object.entries(cam.slots)) {
        spells.set(slotId, {
          state: s.state,
          since: Date.parse(s.since),
          lastConfirmedAt: Date.parse(s.last_confirmed_at),
        });
      }
      out.set(cameraId, { calibrationVersion: cam.calibration_version, spells });
    }
    return out;
  }

  async save(cameras: ReadonlyMap<string, CameraState>, now = Date.now()): Promise<void> {
    const body: StateFile = { version: 1, saved_at: new Date(now).toISOString(), cameras: {} };
    for (const [cameraId, cam] of cameras) {
      const slots: StateFile['cameras'][string]['slots'] = {};
      for (const [slotId, s] of cam.spells) {
        slots[slotId] = {
          state: s.state,
          since: new Date(s.since).toISOString(),
          last_confirmed_at: new Date(s.lastConfirmedAt).toISOString(),
        };
      }
      body.cameras[cameraId] = { calibration_version: cam.calibrationVersion, slots };
    }
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(body, null, 1));
    await rename(tmp, this.file);
  }
}

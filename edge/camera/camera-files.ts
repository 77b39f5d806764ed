import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LumaImage } from '../quality/luma.ts';

/**
 * Small per-camera files in the state folder: the last calibration received over MQTT (so the agent
 * works when it starts while the broker is away) and a captured reference view (when a calibration
 * has no reference image). Written atomically; a damaged file is treated as absent.
 */
export class CameraFiles {
  constructor(
    private readonly dir: string,
    private readonly cameraId: string,
  ) {}

  private path(kind: 'calibration' | 'reference'): string {
    return join(this.dir, `${kind}-${this.cameraId}.json`);
  }

  private async write(file: string, text: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
  }

  async saveCalibration(raw: string): Promise<void> {
    await this.write(this.path('calibration'), raw);
  }

  async loadCalibration(): Promise<string | null> {
    return readFile(this.path('calibration'), 'utf8').catch(() => null);
  }

  async saveReference(calibrationVersion: number, luma: LumaImage): Promise<void> {
    const bytes = Uint8Array.from(luma.data, (v) => Math.round(v));
    const body = {
      calibration_version: calibrationVersion,
      width: luma.width,
      height: luma.height,
      luma_base64: Buffer.from(bytes).toString('base64'),
    };
    await this.write(this.path('reference'), JSON.stringify(body));
  }

  /** The captured reference for `calibrationVersion`, or null. */
  async loadReference(calibrationVersion: number): Promise<LumaImage | null> {
    try {
      const body = JSON.parse(await readFile(this.path('reference'), 'utf8')) as Record<string, unknown>;
      if (body['calibration_version'] !== calibrationVersion) return null;
      const width = Number(body['width']);
      const height = Number(body['height']);
      const bytes = Buffer.from(String(body['luma_base64']), 'base64');
      if (!(width > 0 && height > 0) || bytes.length !== width * height) return null;
      return { width, height, data: Float32Array.from(bytes) };
    } catch {
      return null;
    }
  }
}

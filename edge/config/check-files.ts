import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareCalibration } from '../calibration/prepare.ts';
import { errorMessage } from '../errors.ts';
import { readManifest } from '../vision/index.ts';
import type { EdgeConfig } from './schema.ts';

/**
 * What `--validate-config` checks beyond the schema: every file the config names exists and is what
 * it should be (model manifests, calibration files, replay sources, TLS files). Returns `path: message`
 * lines; empty when everything is in place.
 */
export async function checkConfigFiles(config: EdgeConfig): Promise<string[]> {
  const issues: string[] = [];
  const exists = async (path: string, at: string) => {
    try {
      await access(path);
      return true;
    } catch {
      issues.push(`${at}: ${path} does not exist`);
      return false;
    }
  };
  const seenModels = new Map<string, string | null>();
  for (const [i, cam] of config.cameras.entries()) {
    const at = `/cameras/${i}`;
    if (!seenModels.has(cam.model)) {
      try {
        await readManifest(join(config.models_dir, cam.model));
        seenModels.set(cam.model, null);
      } catch (err) {
        seenModels.set(cam.model, errorMessage(err).split('\n').join('; '));
      }
    }
    const modelProblem = seenModels.get(cam.model);
    if (modelProblem) issues.push(`${at}/model: ${modelProblem}`);
    if (cam.source.path !== undefined) await exists(cam.source.path, `${at}/source/path`);
    const file = cam.calibration.file;
    if (file !== undefined && (await exists(file, `${at}/calibration/file`))) {
      const result = await prepareCalibration(await readFile(file), cam.id, null);
      if (!result.ok)
        for (const line of result.reason.split('\n')) issues.push(`${at}/calibration/file: ${file}${line}`);
    }
  }
  const tls = config.mqtt.tls;
  for (const key of ['ca_file', 'cert_file', 'key_file'] as const) {
    const path = tls?.[key];
    if (path !== undefined) await exists(path, `/mqtt/tls/${key}`);
  }
  return issues;
}

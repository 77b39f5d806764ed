import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// What `npm run depcruise` cruises: all of our code.
const FOLDERS = ['bin', 'cli', 'edge', 'server', 'calibration', 'models', 'protocol', 'kit', 'ui', 'deploy', 'scripts'];

async function violations(baseDir: string, folders: string[]): Promise<IViolation[]> {
  const options: ICruiseOptions = {
    ...(await extractDepcruiseOptions(join(root, '.dependency-cruiser.cjs'))),
    validate: true,
    baseDir,
  };
  const result = await cruise(folders, options, {}, { tsConfig: { fileName: join(baseDir, 'tsconfig.json') } });
  return (result.output as ICruiseResult).summary.violations;
}

const show = (v: IViolation) => `${v.rule.name}: ${v.from} → ${v.cycle?.map((c) => c.name).join(' → ') ?? v.to}`;

describe('architecture', () => {
  it('our code keeps every dependency rule: no cycles, no feature importing a feature, edge and server apart', async () => {
    const found = await violations(root, FOLDERS);
    expect(found.map(show)).toEqual([]);
  }, 120_000);

  // The rules must be able to fail: a tree that breaks each one once.
  describe('the rules catch what they forbid', () => {
    let dir: string;
    let found: string[];
    const files: Record<string, string> = {
      'server/live/hub.ts': "import { page } from '../web/render.ts';\nexport const hub = page;\n",
      'server/web/render.ts': 'export const page = 1;\n',
      'server/core/clock.ts': "import { hub } from '../live/hub.ts';\nexport const clock = hub;\n",
      'server/core/logger.ts': "import { app } from '../main/app.ts';\nexport const logger = app;\n",
      'server/main/app.ts': 'export const app = 1;\n',
      'server/ingest/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'server/ingest/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      'server/ingest/edge-reader.ts': "import { agent } from '../../edge/agent.ts';\nexport const x = agent;\n",
      'edge/agent.ts':
        "import { version } from '../cli/version.ts';\nimport { page } from '../server/web/render.ts';\nexport const agent = [version, page];\n",
      'cli/version.ts': 'export const version = 1;\n',
      'kit/timer.ts': "import { t } from '../protocol/topics.ts';\nexport const timer = t;\n",
      'ui/editor.ts': "import { app } from '../server/main/app.ts';\nexport const editor = app;\n",
      'calibration/homography.ts':
        "import { agent } from '../edge/agent.ts';\nimport { net } from '../models/net.ts';\nexport const h = [agent, net];\n",
      'models/net.ts': 'export const net = 1;\n',
      'protocol/topics.ts':
        "import { agent } from '../edge/agent.ts';\nimport pad from 'left-pad';\nexport const t = [agent, pad];\n",
      'package.json': JSON.stringify({ type: 'module', dependencies: { 'left-pad': '1.3.0' } }),
      'node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', version: '1.3.0', main: 'index.js' }),
      'node_modules/left-pad/index.js': 'module.exports = (s) => s;\n',
      'tsconfig.json': JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'volno-arch-'));
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      found = (await violations(dir, ['server', 'edge', 'cli', 'protocol', 'kit', 'ui', 'calibration', 'models'])).map(
        show,
      );
    }, 60_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each([
      ['feature-imports-feature', 'server/live/hub.ts → server/web/render.ts'],
      ['core-imports-feature', 'server/core/clock.ts → server/live/hub.ts'],
      ['core-imports-feature', 'server/core/logger.ts → server/main/app.ts'],
      ['main-imported', 'server/core/logger.ts → server/main/app.ts'],
      ['no-circular', 'server/ingest/a.ts → server/ingest/b.ts → server/ingest/a.ts'],
      ['server-imports-edge', 'server/ingest/edge-reader.ts → edge/agent.ts'],
      ['edge-imports-server', 'edge/agent.ts → server/web/render.ts'],
      ['upwards-into-cli', 'edge/agent.ts → cli/version.ts'],
      ['protocol-imports-ours', 'protocol/topics.ts → edge/agent.ts'],
      ['kit-imports-ours', 'kit/timer.ts → protocol/topics.ts'],
      ['ui-imports-node-code', 'ui/editor.ts → server/main/app.ts'],
      ['main-imported-outside-server', 'ui/editor.ts → server/main/app.ts'],
      ['calibration-imports-apps', 'calibration/homography.ts → edge/agent.ts'],
      ['runtime-imports-models', 'calibration/homography.ts → models/net.ts'],
      ['protocol-imports-packages', 'protocol/topics.ts → node_modules/left-pad/'],
    ])('%s: %s', (rule, edge) => {
      expect(found.filter((f) => f.startsWith(`${rule}: ${edge}`))).not.toEqual([]);
    });
  });
});

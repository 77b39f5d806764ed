#!/usr/bin/env node
// Makes a fresh clone runnable before `npm start` or `npm test`: installs the Debian packages and the
// npm dependencies when they are missing, and does nothing when they are there. Node built-ins only,
// because it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv[2] ?? 'test';

/** Install flags measured in shared/STACK.md: without them `npm ci` fails offline. */
export const NPM_ENV = { ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_build_from_source: 'better-sqlite3' };

const has = (cmd, args = ['-version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const checks = {
  ffmpeg: () => has('ffmpeg'),
  mosquitto: () =>
    existsSync('/usr/sbin/mosquitto') ||
    has('mosquitto', ['-h']) ||
    spawnSync('sh', ['-c', 'command -v mosquitto'], { stdio: 'ignore' }).status === 0,
  chromium: () => existsSync('/usr/bin/chromium'),
  gstreamer: () =>
    existsSync('/usr/bin/python3') &&
    spawnSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('GstRtspServer','1.0')"], { stdio: 'ignore' })
      .status === 0,
  postgresql: () => existsSync('/usr/lib/postgresql'),
};
const needed = purpose === 'start' ? ['ffmpeg'] : Object.keys(checks);
const missing = needed.filter((name) => !checks[name]());

function run(cmd, args, env = {}) {
  console.error(`volno bootstrap: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`volno bootstrap: "${cmd} ${args.join(' ')}" failed (exit ${r.status ?? r.signal}).`);
    process.exit(1);
  }
}

if (missing.length > 0) {
  const packages = readFileSync(join(root, 'scripts/system-packages.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !has('apt-get', ['--version'])) {
    console.error(
      `volno bootstrap: missing ${missing.join(', ')}. Install them with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`,
    );
    process.exit(1);
  }
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { DEBIAN_FRONTEND: 'noninteractive' });
}

// Reinstall npm dependencies when package-lock.json is newer than npm's record of the last install
// (node_modules/.package-lock.json, which every npm install or ci rewrites), e.g. after a pull.
const lock = statSync(join(root, 'package-lock.json')).mtimeMs;
const installed = join(root, 'node_modules/.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < lock) {
  run('npm', ['ci', '--no-audit', '--no-fund'], NPM_ENV);
}

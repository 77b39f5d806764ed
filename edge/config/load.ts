import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Value } from 'typebox/value';
import { LineCounter, parseDocument } from 'yaml';
import { SchemaCodec } from '../../protocol/index.ts';
import { EdgeError } from '../errors.ts';
import { substituteEnv } from '../../kit/env.ts';
import { CONFIG_VERSION, EdgeConfigSchema, type EdgeConfig } from './schema.ts';
import { refineConfig } from './refine.ts';

const codec = new SchemaCodec(EdgeConfigSchema, refineConfig);

/**
 * Upgrades an older config object one version at a time. Version 1 is the first, so the table is
 * empty; a future v2 adds `1: (v1) => v2` here instead of breaking every deployed file.
 */
const MIGRATIONS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {};

function migrate(raw: Record<string, unknown>): { value: Record<string, unknown>; issues: string[] } {
  let value = raw;
  const declared = value['version'];
  if (typeof declared !== 'number' || !Number.isInteger(declared)) return { value, issues: [] }; // schema reports it
  let version = declared;
  if (version > CONFIG_VERSION) {
    return { value, issues: [`/version: ${version} is newer than this agent understands (${CONFIG_VERSION})`] };
  }
  while (version < CONFIG_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) return { value, issues: [`/version: no migration from version ${version}`] };
    value = step(value);
    version = value['version'] as number;
  }
  return { value, issues: [] };
}

export interface LoadedConfig {
  config: EdgeConfig;
  /** The folder relative paths were resolved against. */
  baseDir: string;
}

export type ConfigResult = { ok: true; value: LoadedConfig } | { ok: false; issues: string[] };

/** Parses YAML text into a validated config with defaults applied and paths made absolute. Never throws. */
export function parseConfig(
  text: string,
  baseDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => `/: YAML line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`),
    };
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, issues: ['/: must be a YAML mapping (key: value lines)'] };
  }
  const substituted = substituteEnv(raw, env);
  const envIssues = substituted.issues.map((i) => `${i.path}: ${i.message}`);
  const migrated = migrate(substituted.value as Record<string, unknown>);
  if (migrated.issues.length > 0) return { ok: false, issues: migrated.issues };
  const withDefaults = Value.Default(EdgeConfigSchema, Value.Clone(migrated.value));
  const checked = codec.check(withDefaults);
  const issues = [...envIssues, ...(checked.ok ? [] : checked.error.issues)];
  if (!checked.ok || issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { config: resolvePaths(checked.value, baseDir), baseDir } };
}

/** Reads and parses a config file. Throws `VOLNO_CONFIG_INVALID` with `path: message` issues. */
export async function loadConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new EdgeError('VOLNO_CONFIG_INVALID', `cannot read config file ${file}`, [`/: ${(cause as Error).message}`], {
      cause,
    });
  }
  const result = parseConfig(text, dirname(resolve(file)), env);
  if (!result.ok) throw new EdgeError('VOLNO_CONFIG_INVALID', `config file ${file} is not valid`, result.issues);
  return result.value;
}

function resolvePaths(config: EdgeConfig, baseDir: string): EdgeConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const absOpt = (p: string | undefined) => (p === undefined ? undefined : abs(p));
  const tls = config.mqtt.tls;
  return {
    ...config,
    models_dir: abs(config.models_dir),
    state_dir: abs(config.state_dir),
    mqtt: {
      ...config.mqtt,
      ...(tls && {
        tls: { ...tls, ca_file: absOpt(tls.ca_file), cert_file: absOpt(tls.cert_file), key_file: absOpt(tls.key_file) },
      }),
    },
    cameras: config.cameras.map((cam) => ({
      ...cam,
      source: { ...cam.source, path: absOpt(cam.source.path) },
      calibration: { ...cam.calibration, file: absOpt(cam.calibration.file) },
    })),
  };
}

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Value } from 'typebox/value';
import YAML from 'yaml';
import { substituteEnv } from '../../../kit/env.ts';
import { SchemaCodec, assertTopicPrefix, type RefineIssue } from '../../../protocol/index.ts';
import { tlsFileIssues } from '../../core/config/tls.ts';
import { ServerError } from '../../core/errors.ts';
import { trustProxyIssues } from '../../core/http/client-address.ts';
import { embeddedBrokerIssues, resolveEmbeddedPaths } from '../../core/mqtt/embedded-config.ts';
import { storageIssues } from '../../core/storage/config.ts';
import { refineIdentity } from '../../identity/config.ts';
import { refineReservations } from '../../reservations/config.ts';
import { ServerConfigSchema, type ServerConfig } from './schema.ts';

/** Command-line flags that override the file. */
export interface ConfigOverrides {
  port?: number;
  dataDir?: string;
  mqttPort?: number;
  brokerUrl?: string;
}

export interface LoadConfigOptions {
  /** YAML or JSON file; defaults only when absent. */
  file?: string;
  overrides?: ConfigOverrides;
  env?: NodeJS.ProcessEnv;
  /** Base for relative paths from flags (default: process.cwd()). */
  cwd?: string;
}

const codec = new SchemaCodec(ServerConfigSchema, refineConfig);

/**
 * Reads, fills in and validates the server configuration. Every problem is reported at once as
 * `path: message` lines in a `VOLNO_CONFIG_INVALID` error, so an operator fixes the file in one go.
 */
export function loadConfig(opts: LoadConfigOptions = {}): ServerConfig {
  const cwd = opts.cwd ?? process.cwd();
  const raw = opts.file === undefined ? {} : readConfigFile(resolve(cwd, opts.file));
  const baseDir = opts.file === undefined ? cwd : dirname(resolve(cwd, opts.file));
  return parseConfig(raw, { ...opts, cwd, baseDir });
}

/**
 * Validates an already-parsed configuration object (the file's content). `baseDir` resolves a
 * relative data_dir; flags resolve against `cwd`.
 */
export function parseConfig(
  raw: unknown,
  opts: { baseDir: string; cwd?: string; env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides },
): ServerConfig {
  const substituted = substituteEnv(raw, opts.env ?? process.env);
  const withFlags = applyOverrides(substituted.value, opts.overrides ?? {});
  const filled = Value.Default(ServerConfigSchema, withFlags);
  const checked = codec.check(filled);
  // Every problem at once; a value whose variable is missing gets that one message, not also the
  // schema's complaint about the placeholder text left in its place.
  const envPaths = new Set(substituted.issues.map((i) => i.path));
  const issues = [
    ...substituted.issues.map((i) => `${i.path}: ${i.message}`),
    ...(checked.ok ? [] : checked.error.issues.filter((line) => !envPaths.has(line.slice(0, line.indexOf(': '))))),
  ];
  if (!checked.ok || issues.length > 0)
    throw new ServerError('VOLNO_CONFIG_INVALID', 'configuration is not valid', issues);
  const dataDir =
    opts.overrides?.dataDir !== undefined
      ? resolve(opts.cwd ?? process.cwd(), opts.overrides.dataDir)
      : resolve(opts.baseDir, checked.value.data_dir);
  const config = resolvePaths({ ...checked.value, data_dir: dataDir }, opts.baseDir);
  const tlsIssues = tlsFileIssues(config.http.tls, config.mqtt.tls, config.mqtt.embedded);
  if (tlsIssues.length > 0) throw new ServerError('VOLNO_CONFIG_INVALID', 'configuration is not valid', tlsIssues);
  return config;
}

function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ServerError('VOLNO_CONFIG_NOT_FOUND', `cannot read config file ${path}`, [], { cause });
  }
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `${path}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
    throw new ServerError('VOLNO_CONFIG_PARSE', `cannot parse config file ${path}`, lines);
  }
  return doc.toJS() ?? {};
}

function applyOverrides(raw: unknown, o: ConfigOverrides): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw; // the schema reports it
  const cfg = structuredClone(raw) as Record<string, Record<string, unknown> | undefined>;
  const sub = (key: string): Record<string, unknown> => {
    const v = cfg[key];
    if (v !== undefined && (v === null || typeof v !== 'object')) return {}; // left for the schema to report
    return (cfg[key] ??= {});
  };
  if (o.port !== undefined) sub('http')['port'] = o.port;
  if (o.brokerUrl !== undefined) sub('mqtt')['broker_url'] = o.brokerUrl;
  if (o.mqttPort !== undefined) {
    const mqtt = sub('mqtt');
    const embedded = mqtt['embedded'];
    mqtt['embedded'] = { ...(embedded !== null && typeof embedded === 'object' ? embedded : {}), port: o.mqttPort };
  }
  return cfg;
}

/** What JSON Schema cannot say: unique ids, a valid time zone, combinations that cannot work. */
export function refineConfig(c: ServerConfig): RefineIssue[] {
  const issues: RefineIssue[] = [];
  try {
    new Intl.DateTimeFormat('en', { timeZone: c.timezone });
  } catch {
    issues.push({ path: '/timezone', message: `"${c.timezone}" is not an IANA time zone` });
  }
  try {
    assertTopicPrefix(c.mqtt.topic_prefix);
  } catch (err) {
    issues.push({ path: '/mqtt/topic_prefix', message: (err as Error).message });
  }
  if (c.mqtt.share_group !== undefined && c.mqtt.broker_url === undefined)
    issues.push({
      path: '/mqtt/share_group',
      message: 'needs mqtt.broker_url: the embedded broker accepts $share subscriptions but delivers nothing',
    });
  issues.push(...embeddedBrokerIssues(c));
  issues.push(...storageIssues(c.storage));
  const lots = new Map<string, number>();
  const cameras = new Map<string, string>();
  c.lots.forEach((lot, li) => {
    const dup = lots.get(lot.lot_id);
    if (dup !== undefined) issues.push({ path: `/lots/${li}/lot_id`, message: `duplicates /lots/${dup}/lot_id` });
    lots.set(lot.lot_id, li);
    if ((lot.latitude === undefined) !== (lot.longitude === undefined))
      issues.push({ path: `/lots/${li}`, message: 'set both latitude and longitude, or neither' });
    const cells = new Map<string, string>();
    lot.cameras.forEach((cam, ci) => {
      const at = `/lots/${li}/cameras/${ci}`;
      const seen = cameras.get(cam.camera_id);
      if (seen !== undefined) issues.push({ path: `${at}/camera_id`, message: `duplicates ${seen}/camera_id` });
      cameras.set(cam.camera_id, at);
      const slots = new Set<string>();
      cam.slots.forEach((slot, si) => {
        if (slots.has(slot.slot_id))
          issues.push({ path: `${at}/slots/${si}/slot_id`, message: `"${slot.slot_id}" appears twice on this camera` });
        slots.add(slot.slot_id);
        if ((slot.row === undefined) !== (slot.col === undefined))
          issues.push({ path: `${at}/slots/${si}`, message: 'set both row and col, or neither' });
        if (slot.row !== undefined && slot.col !== undefined) {
          const cell = `${slot.row}:${slot.col}`;
          const other = cells.get(cell);
          if (other !== undefined)
            issues.push({ path: `${at}/slots/${si}`, message: `row ${slot.row} col ${slot.col} is taken by ${other}` });
          cells.set(cell, `${cam.camera_id}/${slot.slot_id}`);
        }
      });
    });
  });
  issues.push(...trustProxyIssues(c.http.trust_proxy));
  issues.push(...refineReservations(c));
  issues.push(...refineIdentity(c));
  return issues;
}

/**
 * Same shape in, same shape out: file paths made absolute (relative ones are relative to the config
 * file) and the public URL without a trailing slash, so no reader has to do either.
 */
function resolvePaths(c: ServerConfig, baseDir: string): ServerConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const absOpt = (p: string | undefined) => (p === undefined ? undefined : abs(p));
  const { tls: httpTls } = c.http;
  const { tls: mqttTls } = c.mqtt;
  return {
    ...c,
    http: {
      ...c.http,
      ...(httpTls && { tls: { cert_file: abs(httpTls.cert_file), key_file: abs(httpTls.key_file) } }),
    },
    mqtt: {
      ...c.mqtt,
      ...(mqttTls && {
        tls: {
          ...mqttTls,
          ...(mqttTls.ca_file !== undefined && { ca_file: absOpt(mqttTls.ca_file) }),
          ...(mqttTls.cert_file !== undefined && { cert_file: absOpt(mqttTls.cert_file) }),
          ...(mqttTls.key_file !== undefined && { key_file: absOpt(mqttTls.key_file) }),
        },
      }),
      embedded: resolveEmbeddedPaths(c.mqtt.embedded, baseDir),
    },
    ...(c.smtp && { smtp: { ...c.smtp, public_url: c.smtp.public_url.replace(/\/+$/, '') } }),
  };
}

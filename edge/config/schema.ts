import { Type, type Static, type TSchema } from 'typebox';
import { CameraConfig } from './camera-schema.ts';
import { MqttConfig } from './mqtt-schema.ts';
import { id, seconds, section, strict } from './schema-parts.ts';

/**
 * The agent's config file, as one TypeBox declaration: the TS type, the JSON Schema, the defaults and
 * the documentation all come from here (Zigbee2MQTT keeps three hand-synced copies; we keep one).
 * Keys are snake_case because the file leaves the process. Every object rejects unknown keys, so a
 * typo (`enter_dealy_s`) is an error instead of a silently ignored setting.
 */

export const CONFIG_VERSION = 1;

export { CameraConfig, SOURCE_TYPES, SourceConfig } from './camera-schema.ts';
export { MqttConfig, TlsConfig } from './mqtt-schema.ts';

export const EdgeConfigSchema = Type.Object(
  {
    version: Type.Literal(CONFIG_VERSION, {
      title: 'Config version',
      description: 'Format version of this file; the agent migrates older versions on load.',
    }),
    site_id: id('Site id', 'The site (car park or office); first topic level after the prefix.'),
    agent_id: id('Agent id', 'This agent, unique within its site.'),
    topic_prefix: Type.String({
      pattern: '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+){0,7}$',
      default: 'volno/v1',
      title: 'Topic prefix',
      description: 'Prefix of every topic; must match the server.',
    }),
    models_dir: Type.String({
      minLength: 1,
      default: 'models',
      title: 'Models folder',
      description: 'Holds <model>/model.json; relative paths are relative to this file.',
    }),
    state_dir: Type.String({
      minLength: 1,
      default: 'state',
      title: 'State folder',
      description: 'Where the agent keeps the last slot states (for `since` across restarts) and captured references.',
    }),
    log_level: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
      default: 'info',
      title: 'Log level',
      description: 'Least severe level written to the log.',
    }),
    inference_threads: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 1,
      title: 'Inference threads',
      description:
        "onnxruntime threads per model run. 1 suits several cameras on a small box; 2 doubled one camera's throughput on a 2-core box (STACK.md).",
    }),
    continuity_max_gap_s: seconds(
      'Continuity gap',
      'After a restart or outage a slot keeps its old `since` only if it was last seen this recently and the first new frame agrees.',
      120,
      0,
      86_400,
    ),
    intervals: section(
      {
        heartbeat_s: seconds('Heartbeat', 'Seconds between heartbeats.', 15, 0.1, 3600),
        stats_s: seconds('Statistics', 'Seconds between statistics messages.', 60, 0.1, 3600),
        refresh_s: seconds(
          'Full refresh',
          'Seconds between republishing every slot state and summary.',
          300,
          0.1,
          86_400,
        ),
        state_save_s: seconds(
          'State save',
          'Seconds between writes of the state file (only when changed).',
          10,
          0.1,
          3600,
        ),
      },
      'Intervals',
      'Periodic work.',
    ),
    mqtt: MqttConfig,
    cameras: Type.Array(CameraConfig, {
      minItems: 1,
      maxItems: 64,
      title: 'Cameras',
      description: 'The cameras this agent watches.',
    }),
  },
  { ...strict, title: 'Volno edge agent configuration' },
);

export type EdgeConfig = Static<typeof EdgeConfigSchema>;

/** For docs/tools: the JSON Schema of the file. */
export const edgeConfigJsonSchema = (): TSchema => EdgeConfigSchema;

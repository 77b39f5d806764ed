import { Type, type Static } from 'typebox';
import { ID_PATTERN } from '../../../protocol/index.ts';
import { section } from '../config/parts.ts';
import { MqttTlsConfig } from '../config/tls.ts';
import { EmbeddedBrokerSchema } from './embedded-config.ts';

/** Plain topic levels: no wildcards, no `$`, no empty level. */
const TOPIC_LEVELS = '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$';

/** The `mqtt` section: the broker agents publish to, or the embedded one. */
export const MqttConfigSchema = section(
  {
    broker_url: Type.Optional(
      Type.String({
        pattern: '^(mqtts?|wss?|tcp|ssl)://',
        maxLength: 500,
        title: 'Broker URL',
        description: 'mqtt://host:1883 of Mosquitto or EMQX; without it an embedded broker starts in-process.',
      }),
    ),
    username: Type.Optional(
      Type.String({ maxLength: 200, title: 'Username', description: 'The server’s account on the broker.' }),
    ),
    password: Type.Optional(Type.String({ maxLength: 500, title: 'Password', description: 'Use an env placeholder.' })),
    client_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9_-]+$',
        title: 'Client id',
        description:
          'Stable id (one per instance): the broker keeps the session, so messages sent while the server is down are delivered after it restarts.',
      }),
    ),
    topic_prefix: Type.String({
      default: 'volno/v1',
      maxLength: 200,
      title: 'Topic prefix',
      description: 'Prefix of every topic; must match the agents’ topic_prefix.',
    }),
    share_group: Type.Optional(
      Type.String({
        pattern: ID_PATTERN,
        maxLength: 64,
        title: 'Shared subscription group',
        description:
          'Server instances with the same group split the ingest (`$share/<group>/…`); they must share one database (one SQLite file on one machine, or one PostgreSQL). Needs a real broker.',
      }),
    ),
    tls: Type.Optional(MqttTlsConfig),
    retained_settle_ms: Type.Integer({
      minimum: 0,
      maximum: 60_000,
      default: 1500,
      title: 'Retained settle time',
      description: 'With a share group: how long the extra plain subscription that fetches retained state stays open.',
    }),
    embedded: EmbeddedBrokerSchema,
  },
  'MQTT',
  'Where agent messages come from.',
);
export type MqttConfig = Static<typeof MqttConfigSchema>;

/** The `home_assistant` section: discovery topics the server publishes on its broker. */
export const HomeAssistantConfigSchema = section(
  {
    enabled: Type.Boolean({
      default: true,
      title: 'Enabled',
      description: 'Publish discovery and state topics for Home Assistant.',
    }),
    discovery_prefix: Type.String({
      default: 'homeassistant',
      pattern: TOPIC_LEVELS,
      maxLength: 100,
      title: 'Discovery prefix',
      description: 'Home Assistant’s discovery prefix (its `mqtt.discovery_prefix`).',
    }),
    state_prefix: Type.String({
      default: 'volno/ha',
      pattern: TOPIC_LEVELS,
      maxLength: 100,
      title: 'State topic prefix',
      description: 'Where the sensors’ states are published.',
    }),
  },
  'Home Assistant',
  'MQTT discovery: a free-count sensor per lot and an occupancy binary sensor per slot.',
);
export type HomeAssistantConfig = Static<typeof HomeAssistantConfigSchema>;

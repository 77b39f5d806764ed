import { Type, type Static } from 'typebox';
import { MqttTlsConfig as TlsConfig } from '../../kit/tls.ts';
import { seconds, strict } from './schema-parts.ts';

// The same block as the server's mqtt.tls.
export { TlsConfig };

export const MqttConfig = Type.Object(
  {
    url: Type.String({
      pattern: '^(mqtts?|wss?|tcp|ssl)://',
      title: 'Broker URL',
      description: 'mqtt://host:1883, mqtts://host:8883 (TLS) or ws(s)://.',
    }),
    username: Type.Optional(Type.String({ title: 'Username', description: 'Use a ${ENV} placeholder.' })),
    password: Type.Optional(Type.String({ title: 'Password', description: 'Use a ${ENV} placeholder; never logged.' })),
    protocol_version: Type.Union([Type.Literal(4), Type.Literal(5)], {
      default: 4,
      title: 'MQTT version',
      description: '4 = MQTT 3.1.1 (works with every broker, including the embedded one), 5 = MQTT 5.',
    }),
    client_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        title: 'Client id',
        description:
          'Stable client id for the persistent session. Default: volno-edge-<site_id>-<agent_id>. Two agents must never share one.',
      }),
    ),
    keepalive_s: seconds(
      'Keep-alive',
      'Seconds between MQTT pings; the broker publishes the last will after 1.5x.',
      30,
      5,
      3600,
    ),
    connect_timeout_s: seconds('Connect timeout', 'Give up one connection attempt after this long.', 10, 1, 300),
    reconnect_period_s: seconds('Reconnect period', 'Seconds between reconnection attempts.', 2, 0.1, 300),
    session_expiry_s: Type.Integer({
      minimum: 0,
      maximum: 4_294_967_295,
      default: 86_400,
      title: 'Session expiry',
      description: 'MQTT 5 only: how long the broker keeps the persistent session while the agent is away.',
    }),
    max_queued: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 10_000,
      title: 'Queue bound',
      description:
        'While the broker is away the agent keeps only the latest message per retained topic, at most this many.',
    }),
    tls: Type.Optional(TlsConfig),
  },
  { ...strict, title: 'MQTT broker', description: 'Where the agent publishes slot states and gets calibrations.' },
);

export type MqttConfig = Static<typeof MqttConfig>;

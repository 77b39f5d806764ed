import { Type, type Static } from 'typebox';

/**
 * `mqtt.tls`: the one TLS option block of an MQTT client, the same on the edge agent and the
 * server, so one page of docs (docs/deployment.md) fits both. The loaders make relative paths
 * relative to the config file.
 */
export const MqttTlsConfig = Type.Object(
  {
    ca_file: Type.Optional(
      Type.String({ minLength: 1, title: 'CA file', description: 'PEM file of the CA that signed the broker.' }),
    ),
    cert_file: Type.Optional(
      Type.String({ minLength: 1, title: 'Client certificate', description: 'PEM client certificate (mutual TLS).' }),
    ),
    key_file: Type.Optional(
      Type.String({ minLength: 1, title: 'Client key', description: 'PEM private key of the client certificate.' }),
    ),
    reject_unauthorized: Type.Boolean({
      default: true,
      title: 'Verify broker',
      description: 'Refuse a broker whose certificate does not verify. Turn off only for a lab broker.',
    }),
  },
  { additionalProperties: false, title: 'MQTT TLS', description: 'Used when the broker URL is mqtts:// or wss://.' },
);

export type MqttTls = Static<typeof MqttTlsConfig>;

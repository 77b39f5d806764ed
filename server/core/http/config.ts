import { Type, type Static } from 'typebox';
import { port, section } from '../config/parts.ts';
import { HttpTlsConfig } from '../config/tls.ts';
import { TrustProxySchema } from './client-address.ts';

/** The `http` section: where the API, live updates and the pages listen, and who may embed them. */
export const HttpConfigSchema = section(
  {
    host: Type.String({
      default: '127.0.0.1',
      title: 'Listen address',
      description: 'Use 0.0.0.0 to serve other machines.',
    }),
    port: port('HTTP port', '0 picks a free port.', 8080),
    trust_proxy: TrustProxySchema,
    staff_token: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 256,
        title: 'Staff token',
        description:
          'Bearer token for scripts and monitoring: an admin credential on every staff endpoint; use an env placeholder. Without it, and until the first staff account exists (volno user add), staff endpoints answer only requests from this machine.',
      }),
    ),
    embed_origins: Type.Array(Type.String({ pattern: '^https?://[^\\s/]+$', maxLength: 200 }), {
      default: [],
      maxItems: 32,
      title: 'Embedding origins',
      description: 'Origins (scheme://host[:port]) allowed to show /embed/… in an iframe.',
    }),
    tls: Type.Optional(HttpTlsConfig),
  },
  'HTTP',
  'The API, live updates and the public page.',
);
export type HttpConfig = Static<typeof HttpConfigSchema>;

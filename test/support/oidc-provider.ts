import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import getPort from 'get-port';
import { Provider, type ClientMetadata } from 'oidc-provider';

export interface TestProvider {
  issuer: string;
  port: number;
  /** The key id the provider signs ID tokens with now. */
  kid: string;
  stop(): Promise<void>;
}

export interface TestProviderOptions {
  /** Test-only client registrations (redirect URIs of the server under test). */
  clients: ClientMetadata[];
  /** Account id (what one types into the dev login form) → claims besides `sub`. */
  accounts: Record<string, Record<string, unknown>>;
  /** Reuse a port (a restart with a new signing key: key rotation). */
  port?: number;
}

/**
 * A real OpenID provider (oidc-provider, the certified reference OP for Node) on 127.0.0.1 and a
 * free port, for tests only: its dev interactions render the login and consent forms, any
 * password is accepted for the listed accounts, and each start signs with a fresh RSA key.
 * Claims of granted scopes go into the ID token (`conformIdTokenClaims: false`), as Keycloak,
 * ADFS and Entra ID put roles and groups there.
 */
export async function startTestProvider(o: TestProviderOptions): Promise<TestProvider> {
  const port = o.port ?? (await getPort({ host: '127.0.0.1' }));
  const issuer = `http://127.0.0.1:${port}`;
  const kid = randomUUID();
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: o.clients,
    jwks: { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] },
    async findAccount(_ctx, id) {
      const claims = o.accounts[id];
      if (claims === undefined) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['preferred_username', 'name', 'roles', 'groups'],
    },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    cookies: { keys: [randomUUID()] },
    features: { devInteractions: { enabled: true } },
  });
  const server: Server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    issuer,
    port,
    kid,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

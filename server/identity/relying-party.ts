import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import { IdentityError } from './errors.ts';

export interface RelyingPartyOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  /** Absolute redirect URI registered at the provider. */
  redirectUri: string;
  /** Plain-HTTP issuers: tests only (identity.allow_insecure_requests). */
  allowInsecure: boolean;
}

/** What the server keeps between sending the browser to the provider and its return. */
export interface FlowSecrets {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The verified ID-token claims of one sign-in. */
export type Claims = Record<string, unknown> & { iss: string; sub: string };

/**
 * One OpenID provider, through openid-client (an OpenID-certified relying party): discovery,
 * authorization code with PKCE (S256), state and nonce, and ID-token validation (issuer, audience,
 * expiry, nonce, and — with non-repudiation checks on — the signature against the provider's JWKS,
 * which openid-client refetches when a token names a key id it has not seen: key rotation).
 * Discovery happens at the first sign-in and is retried on the next one after a failure, so a
 * provider that is down at start-up does not keep the server down.
 */
export class RelyingParty {
  private config: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly o: RelyingPartyOptions,
    private readonly log: Logger,
  ) {}

  private configuration(): Promise<oidc.Configuration> {
    this.config ??= oidc
      .discovery(
        new URL(this.o.issuer),
        this.o.clientId,
        { redirect_uris: [this.o.redirectUri], response_types: ['code'] },
        this.o.clientSecret !== undefined ? oidc.ClientSecretBasic(this.o.clientSecret) : oidc.None(),
        {
          execute: [oidc.enableNonRepudiationChecks, ...(this.o.allowInsecure ? [oidc.allowInsecureRequests] : [])],
          timeout: 10,
        },
      )
      .catch((cause: unknown) => {
        this.config = undefined;
        this.log.error({ err: cause, issuer: this.o.issuer }, 'OpenID provider discovery failed');
        throw new IdentityError(
          503,
          'VOLNO_OIDC_UNAVAILABLE',
          'the sign-in service cannot be reached; try again later',
          {
            cause,
          },
        );
      });
    return this.config;
  }

  /** The provider's authorization URL for a new sign-in, and the secrets to check its answer with. */
  async begin(): Promise<{ url: URL; secrets: FlowSecrets }> {
    const config = await this.configuration();
    const secrets = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.o.redirectUri,
      scope: this.o.scopes.join(' '),
      state: secrets.state,
      nonce: secrets.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url, secrets };
  }

  /**
   * Redeems the code in the callback URL and validates the ID token; throws 401 VOLNO_OIDC_REFUSED
   * on any mismatch (state, nonce, issuer, audience, signature, expiry) or a provider error.
   */
  async finish(callbackUrl: URL, secrets: FlowSecrets): Promise<Claims> {
    const config = await this.configuration();
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: secrets.codeVerifier,
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (claims === undefined) throw new Error('no ID token');
      return claims as Claims;
    } catch (cause) {
      // The provider's or the library's message says what failed (state, nonce, signature…); no token is logged.
      this.log.warn(
        { issuer: this.o.issuer, code: (cause as { code?: string }).code, reason: (cause as Error).message },
        'OpenID sign-in refused',
      );
      throw new IdentityError(401, 'VOLNO_OIDC_REFUSED', 'the sign-in could not be verified; please try again', {
        cause,
      });
    }
  }
}

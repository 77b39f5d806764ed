import type { StaffRole } from './access.ts';

/** Verified ID token claims; `iss` and `sub` always present. */
export type SignInClaims = Record<string, unknown> & { iss: string; sub: string };

/**
 * Staff single sign-on as the staff feature needs it: the identity feature (OpenID Connect)
 * implements it and server/main passes it in, so staff never imports identity.
 */
export interface StaffSignIn {
  /** Where the provider sends staff back; the flow cookie is scoped to it. */
  readonly callbackPath: string;
  /** Whether cookies must be Secure: the public URL is https. */
  readonly secureCookies: boolean;
  /** The claim holding the role values, the claim holding the user name, and value → role. */
  readonly roleClaim: string;
  readonly usernameClaim: string;
  readonly roles: Record<StaffRole, string[]>;
  /** Starts a sign-in: the provider URL to redirect to and the flow id to keep in a cookie. */
  begin(returnTo: string): Promise<{ url: URL; flowId: string }>;
  /**
   * Finishes the sign-in of flow `flowId` from the callback request URL. Undefined when no such
   * flow is live (taken once, or expired). Throws an ApiError: 4xx when the answer does not verify,
   * 503 when the provider cannot be reached.
   */
  finish(flowId: string, reqUrl: string): Promise<{ claims: SignInClaims; returnTo: string } | undefined>;
}

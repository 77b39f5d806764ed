import { Type, type Static } from 'typebox';
import { STAFF_ROLES } from '../core/access.ts';

const URL_PATTERN = '^https?://[^\\s/]+(/[^\\s]*)?$';
const url = (title: string, description: string) =>
  Type.String({ pattern: URL_PATTERN, maxLength: 300, title, description });
const scopes = (def: string[], description: string) =>
  Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,64}$' }), {
    default: def,
    minItems: 1,
    maxItems: 10,
    title: 'Scopes',
    description,
  });

/** One OpenID provider this server is a relying party of. */
const provider = {
  issuer: url(
    'Issuer',
    'The provider’s issuer URL; its `/.well-known/openid-configuration` is read at the first sign-in.',
  ),
  client_id: Type.String({ minLength: 1, maxLength: 200, title: 'Client id', description: 'As registered.' }),
  client_secret: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 500,
      title: 'Client secret',
      description: 'Use an env placeholder. Absent: a public client (PKCE only).',
    }),
  ),
};

/** `identity.citizen`: the region's identity gateway (NIA, bank identity) for bookings. */
export const CitizenOidcSchema = Type.Object(
  {
    ...provider,
    scopes: scopes(
      ['openid'],
      'Only `openid` by default: the subject is all a booking needs. Add `email` to prefill the booking form with an address the provider vouched for.',
    ),
    session_idle_s: Type.Integer({
      minimum: 60,
      maximum: 86_400,
      default: 1800,
      title: 'Session idle timeout',
      description: 'A citizen session unused this long ends (absolute limit: 8 hours).',
    }),
  },
  {
    additionalProperties: false,
    title: 'Citizen sign-in',
    description: 'OpenID Connect for lots with `reservations.identity: oidc`.',
  },
);

/** `identity.staff`: the office's single sign-on (Keycloak, ADFS, Entra ID). */
export const StaffSsoSchema = Type.Object(
  {
    ...provider,
    scopes: scopes(['openid', 'profile'], 'Scopes asked for; the role claim must be in the ID token.'),
    role_claim: Type.String({
      minLength: 1,
      maxLength: 100,
      default: 'roles',
      title: 'Role claim',
      description: 'ID-token claim (a string or a list) holding the user’s roles or groups, e.g. `roles` or `groups`.',
    }),
    roles: Type.Object(
      Object.fromEntries(
        STAFF_ROLES.map((r) => [
          r,
          Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
            default: [],
            maxItems: 50,
            title: `${r} values`,
            description: `Claim values that make someone ${r}.`,
          }),
        ]),
      ) as Record<(typeof STAFF_ROLES)[number], ReturnType<typeof Type.Array<ReturnType<typeof Type.String>>>>,
      {
        additionalProperties: false,
        default: {},
        title: 'Role mapping',
        description: 'The strongest matching role wins; a user whose claim matches none is refused.',
      },
    ),
    username_claim: Type.String({
      minLength: 1,
      maxLength: 100,
      default: 'preferred_username',
      title: 'Username claim',
      description: 'Claim that names the account in the audit log; `sso-` plus a hash of the subject when unusable.',
    }),
    label: Type.String({
      minLength: 1,
      maxLength: 100,
      default: 'Jednotné přihlášení úřadu / Office single sign-on',
      title: 'Button label',
      description: 'Text of the single sign-on button on the staff login page.',
    }),
  },
  {
    additionalProperties: false,
    title: 'Staff single sign-on',
    description: 'OpenID Connect for staff; local accounts stay as break-glass.',
  },
);

/** The top-level `identity` section (the schema's own type is used at run time, snake_case). */
export const IdentityConfigSchema = Type.Object(
  {
    public_url: Type.Optional(
      url('Public URL', 'Base URL of this server as browsers reach it; redirect URIs are built from it.'),
    ),
    allow_insecure_requests: Type.Boolean({
      default: false,
      title: 'Allow plain-HTTP providers (tests only)',
      description:
        'Lets the relying party talk to an `http://` issuer. Only for tests against a provider on 127.0.0.1; never in production.',
    }),
    citizen: Type.Optional(CitizenOidcSchema),
    staff: Type.Optional(StaffSsoSchema),
  },
  {
    additionalProperties: false,
    default: {},
    title: 'Identity',
    description: 'OpenID Connect sign-in for citizens (bookings) and staff (single sign-on).',
  },
);
export type IdentityConfig = Static<typeof IdentityConfigSchema>;
export type CitizenOidcConfig = Static<typeof CitizenOidcSchema>;
export type StaffSsoConfig = Static<typeof StaffSsoSchema>;

/** What JSON Schema cannot say about `identity` and the lots' `reservations.identity`. */
export function refineIdentity(c: {
  identity: IdentityConfig;
  smtp?: unknown;
  lots: { reservations?: { enabled: boolean; identity: string } }[];
}): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const id = c.identity;
  for (const [key, p] of [
    ['citizen', id.citizen],
    ['staff', id.staff],
  ] as const) {
    if (p === undefined) continue;
    if (id.public_url === undefined)
      issues.push({ path: '/identity/public_url', message: `is needed for identity.${key} (the redirect URI)` });
    if (p.issuer.startsWith('http://') && !id.allow_insecure_requests)
      issues.push({ path: `/identity/${key}/issuer`, message: 'must be https (plain http is for tests only)' });
    if (!p.scopes.includes('openid')) issues.push({ path: `/identity/${key}/scopes`, message: 'must include openid' });
  }
  if (id.staff !== undefined && STAFF_ROLES.every((r) => id.staff!.roles[r].length === 0))
    issues.push({ path: '/identity/staff/roles', message: 'maps no claim value to a role: nobody could sign in' });
  c.lots.forEach((lot, i) => {
    const r = lot.reservations;
    if (r === undefined || !r.enabled) return;
    const at = `/lots/${i}/reservations/identity`;
    if (r.identity === 'oidc' && id.citizen === undefined)
      issues.push({ path: at, message: 'oidc needs identity.citizen' });
    if (r.identity === 'email' && c.smtp === undefined)
      issues.push({ path: at, message: 'email needs smtp (set `none` only for a demo)' });
  });
  return issues;
}

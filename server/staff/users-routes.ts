import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError, errorResponses } from '../core/http/errors.ts';
import { STAFF_ROLES } from '../core/access.ts';
import { SESSION_COOKIE } from './account-access.ts';
import { USERNAME_PATTERN, type StaffUser } from './accounts.ts';
import type { StaffAuth } from './staff-auth.ts';

const Role = Type.Enum(STAFF_ROLES, { description: 'viewer < operator < admin.' });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const NullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

const UserBody = Type.Object(
  {
    user_id: Type.Integer(),
    username: Type.String(),
    role: Role,
    disabled: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    password_changed_at: Type.String({ format: 'date-time' }),
    last_login_at: NullableTime,
  },
  { additionalProperties: false, title: 'StaffUser' },
);

const userBody = (u: StaffUser) => ({
  user_id: u.userId,
  username: u.username,
  role: u.role,
  disabled: u.disabledAt !== null,
  created_at: iso(u.createdAt)!,
  password_changed_at: iso(u.passwordChangedAt)!,
  last_login_at: iso(u.lastLoginAt),
});

const Password = Type.String({
  minLength: 1,
  maxLength: 512,
  description: '12–128 characters, not containing the username.',
});
const UserParams = Type.Object({ user_id: Type.Integer({ minimum: 1 }) });

/** /api/v1/staff/me and the admin's account management. */
export const usersRoutes: FastifyPluginAsyncTypebox<{ auth: StaffAuth }> = async (app, { auth }) => {
  const { accounts, sessions, access } = auth;
  const admin = access.require('admin');
  const staff = (summary: string) => ({ tags: ['staff'], security: access.security, summary });

  app.get(
    '/staff/me',
    {
      preHandler: access.require('viewer'),
      schema: {
        ...staff('Who is asking: account, role, how authenticated, and the session’s CSRF token'),
        response: {
          200: Type.Object(
            {
              user_id: Type.Integer({ description: '0 for the staff token or the loopback bootstrap.' }),
              username: Type.String(),
              role: Role,
              via: Type.Enum(['session', 'token', 'loopback'] as const),
              csrf_token: Type.Union([Type.String(), Type.Null()]),
              expires_at: NullableTime,
            },
            { additionalProperties: false },
          ),
          ...errorResponses(401, 403),
        },
      },
      config: { cacheControl: 'no-store' },
    },
    async (req) => {
      const p = req.staff!;
      const cookie = req.cookies[SESSION_COOKIE];
      const s = p.via === 'session' && cookie !== undefined ? await sessions.resolve(cookie) : undefined;
      return {
        user_id: p.userId,
        username: p.username,
        role: p.role,
        via: p.via,
        csrf_token: p.csrfToken ?? null,
        expires_at: s === undefined ? null : iso(s.expiresAt),
      };
    },
  );

  app.get(
    '/staff/users',
    {
      preHandler: admin,
      schema: {
        ...staff('Staff accounts (admin)'),
        response: { 200: Type.Object({ users: Type.Array(UserBody) }), ...errorResponses(401, 403) },
      },
      config: { cacheControl: 'no-store' },
    },
    async () => ({ users: (await accounts.list()).map(userBody) }),
  );

  app.post(
    '/staff/users',
    {
      preHandler: admin,
      schema: {
        ...staff('Create a staff account (admin)'),
        body: Type.Object(
          {
            username: Type.String({ pattern: USERNAME_PATTERN, description: 'Lower-case; 2–64 of a-z 0-9 . _ -' }),
            role: Role,
            password: Password,
          },
          { additionalProperties: false },
        ),
        response: { 201: UserBody, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const user = await accounts.create(req.body);
      await access.audit(req, 'user.create', `user:${user.userId}`, { username: user.username, role: user.role });
      return reply.code(201).send(userBody(user));
    },
  );

  app.patch(
    '/staff/users/:user_id',
    {
      preHandler: admin,
      schema: {
        ...staff('Change an account’s role or disable/enable it (admin); disabling ends its sessions'),
        params: UserParams,
        body: Type.Object(
          { role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: UserBody, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const before = await accounts.get(req.params.user_id);
      if (before === undefined) throw new ApiError(404, 'VOLNO_NOT_FOUND', `no staff user ${req.params.user_id}`);
      let user = before;
      if (req.body.role !== undefined && req.body.role !== before.role) {
        user = await accounts.setRole(before.userId, req.body.role);
        await access.audit(req, 'user.role', `user:${user.userId}`, { from: before.role, to: user.role });
      }
      if (req.body.disabled !== undefined && req.body.disabled !== (before.disabledAt !== null)) {
        user = await accounts.setDisabled(before.userId, req.body.disabled);
        await access.audit(req, req.body.disabled ? 'user.disable' : 'user.enable', `user:${user.userId}`);
      }
      return userBody(user);
    },
  );

  app.post(
    '/staff/users/:user_id/password',
    {
      preHandler: admin,
      schema: {
        ...staff('Reset an account’s password (admin); ends its sessions'),
        params: UserParams,
        body: Type.Object({ password: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await accounts.setPassword(req.params.user_id, req.body.password);
      await access.audit(req, 'user.password', `user:${req.params.user_id}`);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/staff/audit',
    {
      preHandler: admin,
      schema: {
        ...staff('The audit log of staff actions, newest first (admin)'),
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            before_id: Type.Optional(
              Type.Integer({ minimum: 1, description: 'Page back: entries older than this id.' }),
            ),
            action: Type.Optional(Type.String({ maxLength: 100 })),
            username: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            entries: Type.Array(
              Type.Object(
                {
                  audit_id: Type.Integer(),
                  at: Type.String({ format: 'date-time' }),
                  user_id: Type.Union([Type.Integer(), Type.Null()]),
                  username: Type.Union([Type.String(), Type.Null()]),
                  role: Type.Union([Type.String(), Type.Null()]),
                  via: Type.String({ description: 'session, token, loopback, cli, or anonymous (failed logins).' }),
                  action: Type.String(),
                  target: Type.String(),
                  detail: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
                  ip: Type.Union([Type.String(), Type.Null()], {
                    description: 'The client address as believed (from a trusted proxy’s X-Forwarded-For).',
                  }),
                  socket_ip: Type.Union([Type.String(), Type.Null()], {
                    description: 'The address the connection came from (the proxy’s, behind one).',
                  }),
                  forwarded_for: Type.Union([Type.String(), Type.Null()], {
                    description: 'The forwarding header as it arrived, forged or not.',
                  }),
                },
                { additionalProperties: false },
              ),
            ),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
      config: { cacheControl: 'no-store' },
    },
    async (req) => ({
      entries: (
        await auth.auditLog.list({
          limit: req.query.limit,
          ...(req.query.before_id !== undefined ? { beforeId: req.query.before_id } : {}),
          ...(req.query.action !== undefined ? { action: req.query.action } : {}),
          ...(req.query.username !== undefined ? { username: req.query.username } : {}),
        })
      ).map((e) => ({
        audit_id: e.auditId,
        at: iso(e.at)!,
        user_id: e.userId,
        username: e.username,
        role: e.role,
        via: e.via,
        action: e.action,
        target: e.target,
        detail: e.detail,
        ip: e.ip,
        socket_ip: e.socketIp,
        forwarded_for: e.forwardedFor,
      })),
    }),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Clock } from '../core/clock.ts';
import { errorResponses } from '../core/http/errors.ts';
import type { StaffAccess } from '../core/access.ts';
import { AgentsStore } from '../core/storage/agents-store.ts';
import { CamerasStore } from '../core/storage/cameras-store.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';

export interface HealthRoutesOptions {
  sql: SqlExecutor;
  clock: Clock;
  access: StaffAccess;
  mqttConnected: () => boolean;
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Time = Nullable(Type.String({ format: 'date-time' }));
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const AgentSchema = Type.Object(
  {
    agent_id: Type.String(),
    status: Type.Enum(['unknown', 'online', 'stopped', 'offline', 'silent'] as const, {
      description: '`silent`: no message within its TTL; its slots are unknown.',
    }),
    status_at: Type.String({ format: 'date-time' }),
    session_id: Nullable(Type.String()),
    session_started_at: Time,
    connection_seq: Nullable(Type.Integer()),
    last_seen_at: Time,
    last_seq: Nullable(Type.Integer()),
    heartbeat_interval_s: Nullable(Type.Number()),
    uptime_s: Nullable(Type.Number()),
    version: Nullable(Type.String()),
    mqtt_queue_depth: Nullable(Type.Integer()),
    process: Nullable(
      Type.Object(
        { cpu_percent: Type.Number(), rss_bytes: Type.Integer(), heap_used_bytes: Type.Integer() },
        { additionalProperties: false, description: 'The agent process’s own load, from its last heartbeat.' },
      ),
    ),
    restarts: Type.Integer({ description: 'New sessions seen.' }),
    seq_gaps: Type.Integer({ description: 'Sequence gaps in live messages (not tracked with shared subscriptions).' }),
    lost_messages: Type.Integer(),
  },
  { additionalProperties: false },
);

const CameraSchema = Type.Object(
  {
    camera_id: Type.String(),
    lot_id: Nullable(Type.String()),
    name: Nullable(Type.String()),
    configured: Type.Boolean({ description: 'False for cameras first seen over MQTT.' }),
    agent_id: Nullable(Type.String()),
    stream: Type.Object(
      {
        status: Nullable(Type.String()),
        detail: Nullable(Type.String()),
        last_frame_at: Time,
        fps: Nullable(Type.Number()),
        reported_at: Time,
      },
      { additionalProperties: false },
    ),
    calibration_version: Nullable(Type.Integer()),
    summary: Nullable(
      Type.Object(
        {
          free: Type.Integer(),
          occupied: Type.Integer(),
          unknown: Type.Integer(),
          total: Type.Integer(),
          observed_at: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    stats: Nullable(Type.Record(Type.String(), Type.Number())),
    stats_at: Time,
    calibration_ack: Nullable(
      Type.Object(
        { version: Type.Integer(), result: Type.String(), reason: Nullable(Type.String()), at: Type.String() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Agent and camera health for staff, and a minimal public liveness probe. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, o) => {
  const agents = new AgentsStore(o.sql);
  const cameras = new CamerasStore(o.sql);
  const staffSchema = { tags: ['staff'], security: o.access.security };

  app.get(
    '/health/agents',
    {
      preHandler: o.access.require('viewer'),
      schema: {
        ...staffSchema,
        summary: 'Edge agents: liveness, sessions, restarts, sequence gaps (staff)',
        response: {
          200: Type.Object({ agents: Type.Array(AgentSchema) }, { additionalProperties: false }),
          ...errorResponses(401, 403),
        },
      },
    },
    async () => ({
      agents: (await agents.all()).map((a) => ({
        agent_id: a.agentId,
        status: a.status,
        status_at: new Date(a.statusAt).toISOString(),
        session_id: a.sessionId,
        session_started_at: iso(a.sessionStartedAt),
        connection_seq: a.connectionSeq,
        last_seen_at: iso(a.lastSeenAt),
        last_seq: a.lastSeq,
        heartbeat_interval_s: a.heartbeatIntervalS,
        uptime_s: a.uptimeS,
        version: a.version,
        mqtt_queue_depth: a.mqttQueueDepth,
        process:
          a.processCpuPercent === null
            ? null
            : {
                cpu_percent: a.processCpuPercent,
                rss_bytes: a.processRssBytes ?? 0,
                heap_used_bytes: a.processHeapUsedBytes ?? 0,
              },
        restarts: a.restarts,
        seq_gaps: a.seqGaps,
        lost_messages: a.lostMessages,
      })),
    }),
  );

  app.get(
    '/health/cameras',
    {
      preHandler: o.access.require('viewer'),
      schema: {
        ...staffSchema,
        summary: 'Cameras: stream health, counts, statistics, calibration answers (staff)',
        response: {
          200: Type.Object({ cameras: Type.Array(CameraSchema) }, { additionalProperties: false }),
          ...errorResponses(401, 403),
        },
      },
    },
    async () => ({
      cameras: (await cameras.all()).map((c) => ({
        camera_id: c.cameraId,
        lot_id: c.lotId,
        name: c.name,
        configured: c.configured,
        agent_id: c.agentId,
        stream: {
          status: c.streamStatus,
          detail: c.streamDetail,
          last_frame_at: iso(c.lastFrameAt),
          fps: c.fps,
          reported_at: iso(c.healthAt),
        },
        calibration_version: c.calibrationVersion,
        summary:
          c.summary === null
            ? null
            : {
                free: c.summary.free,
                occupied: c.summary.occupied,
                unknown: c.summary.unknown,
                total: c.summary.total,
                observed_at: new Date(c.summary.at).toISOString(),
              },
        stats: c.stats as Record<string, number> | null,
        stats_at: iso(c.statsAt),
        calibration_ack:
          c.calibrationAck === null ? null : { ...c.calibrationAck, at: new Date(c.calibrationAck.at).toISOString() },
      })),
    }),
  );
};

const UnassignedSchema = Type.Object(
  {
    camera_id: Type.String(),
    slot_id: Type.String(),
    state: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    observed_at: Time,
    agent_id: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

/** Slots agents report that no lot in the config contains: recorded, never dropped, shown to staff. */
export const unassignedRoute: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, o) => {
  app.get(
    '/health/unassigned-slots',
    {
      preHandler: o.access.require('viewer'),
      schema: {
        tags: ['staff'],
        security: o.access.security,
        summary: 'Slots seen over MQTT that no configured lot contains (staff)',
        response: {
          200: Type.Object({ slots: Type.Array(UnassignedSchema) }, { additionalProperties: false }),
          ...errorResponses(401, 403),
        },
      },
    },
    async () => {
      const rows = await o.sql.all<{
        camera_id: string;
        slot_id: string;
        state: string | null;
        reason: string | null;
        observed_at: number | null;
        agent_id: string | null;
      }>(
        `SELECT s.camera_id, s.slot_id, st.state, st.reason, st.observed_at, st.agent_id FROM slots s
         LEFT JOIN slot_state st ON st.camera_id = s.camera_id AND st.slot_id = s.slot_id
         WHERE s.lot_id IS NULL ORDER BY s.camera_id, s.slot_id`,
      );
      return { slots: rows.map((r) => ({ ...r, observed_at: iso(r.observed_at) })) };
    },
  );
};

/** `GET /healthz`: 200 when the database answers; says whether MQTT is connected. Public, no details. */
export const livenessRoute: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, o) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness probe',
        response: {
          200: Type.Object(
            { status: Type.Literal('ok'), mqtt_connected: Type.Boolean() },
            { additionalProperties: false },
          ),
          ...errorResponses(503),
        },
      },
      config: { cacheControl: 'no-store' },
    },
    async () => {
      await o.sql.one('SELECT 1 AS ok');
      return { status: 'ok' as const, mqtt_connected: o.mqttConnected() };
    },
  );
};

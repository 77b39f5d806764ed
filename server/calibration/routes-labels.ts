import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses } from '../core/http/errors.ts';
import { calibrationError } from './errors.ts';
import { accuracyJson, AccuracyJson } from './labels/accuracy-json.ts';
import type { CalibrationRoutesOptions } from './routes-options.ts';
import { CameraParams, LangQuery } from './schemas.ts';

const PointJson = Type.Array(Type.Number(), { minItems: 2, maxItems: 2 });

const LabelSnapshot = Type.Object(
  {
    snapshot_id: Type.String(),
    width: Type.Integer(),
    height: Type.Integer(),
    captured_at: Type.String({ format: 'date-time' }),
    tuning: Type.Object(
      { available: Type.Boolean(), reason: Type.Optional(Type.String()) },
      { additionalProperties: false, description: 'Whether this camera’s model can be tuned on labels, and why not.' },
    ),
    model_id: Type.Optional(Type.String()),
    calibration_version: Type.Optional(Type.Integer()),
    slots: Type.Array(
      Type.Object(
        {
          slot_id: Type.String(),
          polygon: Type.Array(PointJson, { description: 'Outline, 0–1 of the frame.' }),
          p_occupied: Type.Number(),
          occupied: Type.Boolean({ description: 'The model’s state, the pre-filled label.' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'Snapshot to label' },
);

const LabelsBody = Type.Object(
  {
    snapshot_id: Type.String({ minLength: 1, maxLength: 64 }),
    labels: Type.Array(
      Type.Object(
        { slot_id: Type.String({ minLength: 1, maxLength: 64 }), occupied: Type.Boolean() },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

const SaveReply = Type.Object(
  {
    stored: Type.Integer({ description: 'Labels stored from this snapshot.' }),
    labels: Type.Integer({ description: 'All labels of the camera the head was fitted on.' }),
    accuracy: AccuracyJson,
    published_version: Type.Union([Type.Integer(), Type.Null()], {
      description: 'The version carrying the tuned head, or null when it did not beat the generic head.',
    }),
    message: Type.String(),
  },
  { additionalProperties: false },
);

const Summary = Type.Object(
  {
    label_sets: Type.Integer(),
    labels: Type.Integer(),
    retention_days: Type.Integer(),
    refused_total: Type.Integer({ description: 'Label submissions refused since the server started.' }),
    accuracy: Type.Union([AccuracyJson, Type.Null()]),
  },
  { additionalProperties: false },
);

/** The staff "Label" flow: a snapshot with the model's states, corrections, a tuned head (issue 12). */
export const labelRoutes: FastifyPluginAsyncTypebox<CalibrationRoutesOptions> = async (app, o) => {
  const { access, service, bodyLimit } = o;
  const base = { tags: ['staff'], security: access.security };
  const viewer = access.require('viewer');
  const operator = access.require('operator');
  const camera = async (id: string) => {
    if (!(await service.knowsCamera(id))) throw calibrationError(404, 'VOLNO_NOT_FOUND', `no camera "${id}"`);
  };
  const who = (req: { staff?: { username: string } }) => req.staff?.username ?? 'unknown';

  app.post(
    '/cameras/:camera_id/labels/snapshot',
    {
      preHandler: operator,
      schema: {
        ...base,
        summary: 'A fresh snapshot with the model’s state per slot, to label',
        params: CameraParams,
        response: { 201: LabelSnapshot, ...errorResponses(401, 403, 404, 502, 503, 504) },
      },
    },
    async (req, reply) => {
      const cameraId = req.params.camera_id;
      await camera(cameraId);
      const s = await service.labelling.snapshot(cameraId);
      await access.audit(req, 'calibration.label_snapshot', `camera:${cameraId}`, { snapshot_id: s.snapshot_id });
      return reply.code(201).send(s);
    },
  );

  app.post(
    '/cameras/:camera_id/labels',
    {
      preHandler: operator,
      bodyLimit,
      schema: {
        ...base,
        summary: 'Store staff labels of a snapshot, fit the camera’s head, publish it when it beats the generic one',
        params: CameraParams,
        querystring: LangQuery,
        body: LabelsBody,
        response: { 201: SaveReply, ...errorResponses(400, 401, 403, 404, 409, 413, 422, 503) },
      },
    },
    async (req, reply) => {
      const cameraId = req.params.camera_id;
      await camera(cameraId);
      const r = await service.labelling.save(
        cameraId,
        req.body.snapshot_id,
        req.body.labels,
        who(req),
        req.query.lang ?? 'en',
      );
      await access.audit(req, 'calibration.labels', `camera:${cameraId}`, {
        stored: r.stored,
        labels: r.labels,
        published_version: r.published_version,
      });
      return reply.code(201).send({ ...r, accuracy: accuracyJson(r.accuracy) });
    },
  );

  app.get(
    '/cameras/:camera_id/labels',
    {
      preHandler: viewer,
      schema: {
        ...base,
        summary: 'Stored labels and the measured accuracy, generic against tuned',
        params: CameraParams,
        response: { 200: Summary, ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => {
      const cameraId = req.params.camera_id;
      await camera(cameraId);
      const n = await service.labels.counts(cameraId);
      const a = await service.labels.accuracy(cameraId);
      return {
        label_sets: n.sets,
        labels: n.labels,
        retention_days: service.labelsRetentionDays,
        refused_total: service.labelling.refused,
        accuracy: a ? accuracyJson(a) : null,
      };
    },
  );

  app.delete(
    '/cameras/:camera_id/labels',
    {
      preHandler: operator,
      schema: {
        ...base,
        summary: 'Delete every labelled snapshot of a camera (the published head stays until the next publish)',
        params: CameraParams,
        response: { 200: Type.Object({ deleted_sets: Type.Integer() }), ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => {
      const cameraId = req.params.camera_id;
      await camera(cameraId);
      const deleted = await service.labels.deleteCamera(cameraId);
      await access.audit(req, 'calibration.labels_delete', `camera:${cameraId}`, { deleted_sets: deleted });
      return { deleted_sets: deleted };
    },
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { diffCalibrations } from '../../calibration/index.ts';
import { errorResponses } from '../core/http/errors.ts';
import { calibrationError, CalibrationIssuesError } from './errors.ts';
import { validateDocument } from './issues.ts';
import { ackJson, diffJson, documentFromBody, isoOrNull, versionJson, versionStatus } from './json.ts';
import type { CalibrationRoutesOptions } from './routes-options.ts';
import {
  AnyJson,
  CameraParams,
  DocumentBody,
  Issues,
  IssuesError,
  LangQuery,
  VERSION_STATUSES,
  VersionParams,
  VersionSummary,
  Ack,
} from './schemas.ts';

/** Versions of a camera's calibration: list, read, validate, save, diff, roll back, publish, ack. */
export const versionRoutes: FastifyPluginAsyncTypebox<CalibrationRoutesOptions> = async (app, o) => {
  const { access, service, bodyLimit } = o;
  const base = { tags: ['staff'], security: access.security };
  const viewer = access.require('viewer');
  const operator = access.require('operator');
  const store = service.versions;
  const camera = async (id: string) => {
    if (!(await service.knowsCamera(id))) throw calibrationError(404, 'VOLNO_NOT_FOUND', `no camera "${id}"`);
  };
  const version = async (cameraId: string, v: number) => {
    await camera(cameraId);
    const row = await store.get(cameraId, v);
    if (!row) throw calibrationError(404, 'VOLNO_NOT_FOUND', `camera ${cameraId} has no version ${v}`);
    return row;
  };
  const who = (req: { staff?: { username: string } }) => req.staff?.username ?? 'unknown';

  app.get(
    '/cameras/:camera_id/calibrations',
    {
      preHandler: viewer,
      schema: {
        ...base,
        summary: 'Saved calibration versions of a camera, newest first',
        params: CameraParams,
        response: { 200: Type.Array(VersionSummary), ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => {
      await camera(req.params.camera_id);
      return (await store.list(req.params.camera_id)).map(versionJson);
    },
  );

  app.get(
    '/cameras/:camera_id/calibrations/:version',
    {
      preHandler: viewer,
      schema: {
        ...base,
        summary: 'One version with its document and validation issues',
        params: VersionParams,
        querystring: LangQuery,
        response: {
          200: Type.Object({ ...VersionSummary.properties, document: AnyJson, issues: Issues }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (req) => {
      const row = await version(req.params.camera_id, req.params.version);
      const { issues } = validateDocument(row.document, service.validation, req.query.lang);
      return { ...versionJson(row), document: row.document, issues };
    },
  );

  app.post(
    '/cameras/:camera_id/calibrations/validate',
    {
      preHandler: operator,
      bodyLimit,
      schema: {
        ...base,
        summary: 'Validate a draft without saving it',
        params: CameraParams,
        querystring: LangQuery,
        body: Type.Object({ document: DocumentBody }, { additionalProperties: false }),
        response: {
          200: Type.Object({ issues: Issues, can_save: Type.Boolean() }),
          ...errorResponses(400, 401, 403, 404, 413),
        },
      },
    },
    async (req) => {
      await camera(req.params.camera_id);
      const doc = documentFromBody(req.body.document, req.params.camera_id);
      const r = validateDocument(doc, service.validation, req.query.lang);
      return { issues: r.issues, can_save: r.canSave };
    },
  );

  app.post(
    '/cameras/:camera_id/calibrations',
    {
      preHandler: operator,
      bodyLimit,
      schema: {
        ...base,
        summary: 'Save a new version (errors block, warnings do not)',
        params: CameraParams,
        querystring: LangQuery,
        body: Type.Object(
          {
            document: DocumentBody,
            note: Type.Optional(Type.String({ maxLength: 500 })),
            base_version: Type.Optional(
              Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
                description: 'The version the draft started from; 409 when a newer one was saved meanwhile.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ version: Type.Integer(), issues: Issues }),
          422: IssuesError,
          ...errorResponses(400, 401, 403, 404, 409, 413),
        },
      },
    },
    async (req, reply) => {
      const cameraId = req.params.camera_id;
      await camera(cameraId);
      const doc = documentFromBody(req.body.document, cameraId);
      const r = validateDocument(doc, service.validation, req.query.lang);
      if (!r.canSave) throw new CalibrationIssuesError(r.issues);
      const saved = await store.add(cameraId, doc, {
        author: who(req),
        note: req.body.note ?? '',
        at: o.clock.now(),
        ...(req.body.base_version === undefined ? {} : { expectBase: req.body.base_version }),
      });
      if ('conflict' in saved)
        throw calibrationError(
          409,
          'VOLNO_CONFLICT',
          `version ${saved.conflict} was saved meanwhile; reload it and apply your changes again`,
        );
      await access.audit(req, 'calibration.save', `camera:${cameraId}`, {
        version: saved.version,
        slots: doc.slots.length,
      });
      return reply.code(201).send({ version: saved.version, issues: r.issues });
    },
  );

  app.get(
    '/cameras/:camera_id/calibrations/:version/diff',
    {
      preHandler: viewer,
      schema: {
        ...base,
        summary: 'What changed against another version (default: the previous one)',
        params: VersionParams,
        querystring: Type.Object(
          { against: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ version: Type.Integer(), against: Type.Integer(), diff: AnyJson }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (req) => {
      const after = await version(req.params.camera_id, req.params.version);
      const againstNo =
        req.query.against ??
        (await store.list(req.params.camera_id)).find((v) => v.version < req.params.version)?.version ??
        null;
      if (againstNo === null)
        throw calibrationError(404, 'VOLNO_NOT_FOUND', `version ${req.params.version} has no previous version`);
      const before = await version(req.params.camera_id, againstNo);
      return {
        version: after.version,
        against: before.version,
        diff: diffJson(diffCalibrations(before.document, after.document)),
      };
    },
  );

  app.post(
    '/cameras/:camera_id/calibrations/:version/rollback',
    {
      preHandler: operator,
      schema: {
        ...base,
        summary: 'Save a new version that copies an older one',
        params: VersionParams,
        body: Type.Optional(
          Type.Object({ note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        ),
        response: { 201: Type.Object({ version: Type.Integer() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const { camera_id: cameraId, version: v } = req.params;
      const row = await version(cameraId, v);
      const saved = await store.add(cameraId, row.document, {
        author: who(req),
        note: req.body?.note ?? `rollback to v${v}`,
        at: o.clock.now(),
      });
      if ('conflict' in saved) throw calibrationError(409, 'VOLNO_CONFLICT', 'another version was saved meanwhile');
      await access.audit(req, 'calibration.rollback', `camera:${cameraId}`, { from: v, version: saved.version });
      return reply.code(201).send({ version: saved.version });
    },
  );

  app.post(
    '/cameras/:camera_id/calibrations/:version/publish',
    {
      preHandler: operator,
      schema: {
        ...base,
        summary: 'Push a version to the agent (retained MQTT calibration); the ack follows',
        params: VersionParams,
        querystring: LangQuery,
        response: {
          202: Type.Object({ version: Type.Integer(), status: Type.Literal('pending') }),
          422: IssuesError,
          ...errorResponses(401, 403, 404, 503),
        },
      },
    },
    async (req, reply) => {
      const { camera_id: cameraId, version: v } = req.params;
      await version(cameraId, v);
      await service.publish(cameraId, v, who(req), req.query.lang ?? 'en');
      await access.audit(req, 'calibration.publish', `camera:${cameraId}`, { version: v });
      return reply.code(202).send({ version: v, status: 'pending' as const });
    },
  );

  app.get(
    '/cameras/:camera_id/calibrations/:version/ack',
    {
      preHandler: viewer,
      schema: {
        ...base,
        summary: 'Whether the agent applied or rejected a published version (poll after publishing)',
        params: VersionParams,
        response: {
          200: Type.Object({
            version: Type.Integer(),
            status: Type.Enum(VERSION_STATUSES),
            published_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            ack: Type.Union([Ack, Type.Null()]),
          }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (req) => {
      const row = await version(req.params.camera_id, req.params.version);
      return {
        version: row.version,
        status: versionStatus(row),
        published_at: isoOrNull(row.publishedAt),
        ack: ackJson(row),
      };
    },
  );
};

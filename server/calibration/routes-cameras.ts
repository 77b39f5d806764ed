import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { DocumentMask, reprojectCalibration, CalibrationError, type PrivacyMask } from '../../calibration/index.ts';
import { SchemaCodec } from '../../protocol/index.ts';
import { errorResponses } from '../core/http/errors.ts';
import { listCameras } from './cameras.ts';
import { calibrationError, CalibrationIssuesError } from './errors.ts';
import { validateDocument } from './issues.ts';
import { documentFromBody, iso, isoOrNull } from './json.ts';
import type { CalibrationRoutesOptions } from './routes-options.ts';
import {
  AnyJson,
  CameraEntry,
  CameraParams,
  Issues,
  IssuesError,
  LangQuery,
  MasksReply,
  ReprojectBody,
  SnapshotParams,
} from './schemas.ts';

const masksCodec = new SchemaCodec(Type.Array(DocumentMask, { maxItems: 64 }));
const Jpeg = Type.String({ description: 'image/jpeg', contentMediaType: 'image/jpeg' });

function sendJpeg(reply: FastifyReply, jpeg: Buffer) {
  // Camera images are personal data: never cached by browsers or proxies (issue 7).
  return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
}

/** Cameras, snapshots, reference frame, privacy masks and camera-moved re-projection. */
export const cameraRoutes: FastifyPluginAsyncTypebox<CalibrationRoutesOptions> = async (app, o) => {
  const { access, service, bodyLimit } = o;
  const base = { tags: ['staff'], security: access.security };
  const viewer = access.require('viewer');
  const operator = access.require('operator');
  const camera = async (id: string) => {
    if (!(await service.knowsCamera(id))) throw calibrationError(404, 'VOLNO_NOT_FOUND', `no camera "${id}"`);
  };

  app.get(
    '/cameras',
    {
      preHandler: viewer,
      schema: {
        ...base,
        summary: 'Cameras with their calibration state',
        response: { 200: Type.Array(CameraEntry), ...errorResponses(401, 403) },
      },
    },
    async () => listCameras(o.sql, service),
  );

  app.post(
    '/cameras/:camera_id/snapshot',
    {
      preHandler: operator,
      schema: {
        ...base,
        summary: 'Ask the agent for a fresh frame (kept in memory for a short time)',
        params: CameraParams,
        body: Type.Optional(
          Type.Object(
            { max_width: Type.Optional(Type.Integer({ minimum: 64, maximum: 4096 })) },
            { additionalProperties: false },
          ),
        ),
        response: {
          201: Type.Object({
            snapshot_id: Type.String(),
            width: Type.Integer(),
            height: Type.Integer(),
            captured_at: Type.String({ format: 'date-time' }),
          }),
          ...errorResponses(400, 401, 403, 404, 502, 503, 504),
        },
      },
    },
    async (req, reply) => {
      const cameraId = req.params.camera_id;
      await camera(cameraId);
      const s = await service.snapshot(cameraId, req.body?.max_width);
      await access.audit(req, 'calibration.snapshot', `camera:${cameraId}`, { snapshot_id: s.id });
      return reply
        .code(201)
        .send({ snapshot_id: s.id, width: s.width, height: s.height, captured_at: iso(s.capturedAt) });
    },
  );

  app.get(
    '/cameras/:camera_id/snapshots/latest',
    {
      preHandler: viewer,
      schema: {
        ...base,
        summary: 'The newest snapshot of a camera still in memory',
        params: CameraParams,
        response: { 200: Jpeg, ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const s = service.snapshots.latest(req.params.camera_id);
      if (!s) throw calibrationError(404, 'VOLNO_NOT_FOUND', 'no snapshot of this camera is in memory; take one');
      return sendJpeg(reply.header('x-snapshot-id', s.id), s.jpeg);
    },
  );

  app.get(
    '/cameras/:camera_id/snapshots/:snapshot_id',
    {
      preHandler: viewer,
      schema: {
        ...base,
        summary: 'A snapshot as JPEG, privacy masks applied',
        params: SnapshotParams,
        response: { 200: Jpeg, ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const s = service.snapshots.get(req.params.camera_id, req.params.snapshot_id);
      if (!s) throw calibrationError(404, 'VOLNO_NOT_FOUND', 'no such snapshot (they expire after a few minutes)');
      return sendJpeg(reply, s.jpeg);
    },
  );

  app.get(
    '/cameras/:camera_id/reference',
    {
      preHandler: viewer,
      schema: {
        ...base,
        summary: 'The frame the published calibration was drawn on, for camera-moved comparison',
        params: CameraParams,
        response: { 200: Jpeg, ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const ref = service.reference(req.params.camera_id);
      if (!ref) throw calibrationError(404, 'VOLNO_NOT_FOUND', 'no reference frame is known for this camera');
      return sendJpeg(reply.header('x-calibration-version', String(ref.version)), ref.jpeg);
    },
  );

  app.get(
    '/cameras/:camera_id/masks',
    {
      preHandler: viewer,
      schema: { ...base, summary: 'Privacy masks', params: CameraParams, response: { 200: MasksReply } },
    },
    async (req) => {
      await camera(req.params.camera_id);
      const m = await service.masks(req.params.camera_id);
      return { masks: m.masks, source: m.source, updated_at: isoOrNull(m.updatedAt), updated_by: m.updatedBy };
    },
  );

  app.put(
    '/cameras/:camera_id/masks',
    {
      preHandler: operator,
      bodyLimit,
      schema: {
        ...base,
        summary: 'Replace the privacy masks; applied to snapshots now and to the agent with the next publish',
        params: CameraParams,
        querystring: LangQuery,
        body: Type.Object({ masks: AnyJson }, { additionalProperties: false }),
        response: {
          200: Type.Object({ masks: MasksReply.properties.masks, issues: Issues }),
          422: IssuesError,
          ...errorResponses(400, 401, 403, 404, 413),
        },
      },
    },
    async (req) => {
      const cameraId = req.params.camera_id;
      await camera(cameraId);
      const checked = masksCodec.check(req.body.masks);
      if (!checked.ok)
        throw calibrationError(400, 'VOLNO_BAD_REQUEST', 'masks do not match the format', [
          ...checked.error.issues.map((i) => `/masks${i}`),
        ]);
      const masks = checked.value as PrivacyMask[];
      const r = await service.putMasks(cameraId, masks, req.staff?.username ?? 'unknown', req.query.lang ?? 'en');
      if (!r.ok) throw new CalibrationIssuesError(r.issues, 'a privacy mask has errors');
      await access.audit(req, 'calibration.masks', `camera:${cameraId}`, { masks: masks.length });
      return { masks, issues: r.issues };
    },
  );

  app.post(
    '/cameras/:camera_id/reproject',
    {
      preHandler: operator,
      bodyLimit,
      schema: {
        ...base,
        summary: 'Camera moved: move every polygon by the homography of four reference point pairs',
        params: CameraParams,
        querystring: LangQuery,
        body: ReprojectBody,
        response: {
          200: Type.Object({ document: AnyJson, issues: Issues, flags: AnyJson, homography: AnyJson }),
          ...errorResponses(400, 401, 403, 404, 413, 422),
        },
      },
    },
    async (req) => {
      const cameraId = req.params.camera_id;
      await camera(cameraId);
      let doc;
      if (req.body.document !== undefined) doc = documentFromBody(req.body.document, cameraId);
      else {
        doc = await service.versions.latestDocument(cameraId);
        if (!doc) throw calibrationError(404, 'VOLNO_NOT_FOUND', 'the camera has no saved calibration to re-project');
      }
      const pts = (p: number[][]) => p.map((q) => [q[0]!, q[1]!] as [number, number]);
      let r;
      try {
        r = reprojectCalibration(doc, pts(req.body.reference_points), pts(req.body.current_points), {
          outOfFrame: req.body.out_of_frame ?? 'clamp',
        });
      } catch (err) {
        if (err instanceof CalibrationError) throw calibrationError(422, err.code, err.message);
        throw err;
      }
      const { issues } = validateDocument(r.document, service.validation, req.query.lang);
      const flags = r.flags.map((f) => ({
        kind: f.kind,
        index: f.index,
        id: f.id,
        outside_points: f.outsidePoints,
        visible_fraction: f.visibleFraction,
        unprojectable: f.unprojectable,
      }));
      return { document: r.document, issues, flags, homography: [...r.homography] };
    },
  );
};

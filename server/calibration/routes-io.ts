import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  exportLabelledFrame,
  exportPklotXml,
  importLabelledFrame,
  importPklotXml,
  parseCalibrationDocument,
  serializeCalibrationDocument,
  type CalibrationDocument,
  type Parsed,
} from '../../calibration/index.ts';
import { errorResponses } from '../core/http/errors.ts';
import { calibrationError } from './errors.ts';
import { validateDocument } from './issues.ts';
import { documentFromBody } from './json.ts';
import type { CalibrationRoutesOptions } from './routes-options.ts';
import { AnyJson, CameraParams, FORMATS, FormatQuery, Issues, LANG_SCHEMA, VersionParams } from './schemas.ts';

const Size = Type.Optional(Type.Integer({ minimum: 1, maximum: 16384 }));

/** Import (PKLot XML, labelled-frame JSON, Volno JSON) and export of calibrations. */
export const ioRoutes: FastifyPluginAsyncTypebox<CalibrationRoutesOptions> = async (app, o) => {
  const { access, service } = o;
  const base = { tags: ['staff'], security: access.security };
  const camera = async (id: string) => {
    if (!(await service.knowsCamera(id))) throw calibrationError(404, 'VOLNO_NOT_FOUND', `no camera "${id}"`);
  };
  // Files arrive as they are (XML or JSON text, any content type); the core's parsers read the bytes,
  // enforce the size limit and report every problem. Fastify's JSON parser would answer its own errors.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: o.importLimit }, (_req, body, done) =>
    done(null, body),
  );

  app.post(
    '/cameras/:camera_id/calibrations/import',
    {
      preHandler: access.require('operator'),
      bodyLimit: o.importLimit,
      schema: {
        ...base,
        summary: 'Read a calibration file into a document (not saved)',
        params: CameraParams,
        querystring: Type.Object(
          { format: Type.Enum(FORMATS), width: Size, height: Size, lang: LANG_SCHEMA },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ document: AnyJson, issues: Issues }),
          ...errorResponses(400, 401, 403, 404, 413, 415),
        },
      },
    },
    async (req) => {
      const cameraId = req.params.camera_id;
      await camera(cameraId);
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw calibrationError(400, 'VOLNO_BAD_REQUEST', 'send the file as the request body');
      const limit = { maxBytes: o.importLimit, cameraId };
      let parsed: Parsed<CalibrationDocument>;
      if (req.query.format === 'pklot') {
        const frame = await frameFor(cameraId, req.query.width, req.query.height);
        parsed = importPklotXml(body, frame, limit);
      } else if (req.query.format === 'labelled') parsed = importLabelledFrame(body, limit);
      else parsed = parseCalibrationDocument(body, limit);
      if (!parsed.ok) {
        const e = parsed.error;
        const status = e.code === 'VOLNO_CALIBRATION_TOO_LARGE' ? 413 : 400;
        throw calibrationError(status, e.code, e.message.split('\n')[0]!, [...e.issues]);
      }
      const doc = documentFromBody(parsed.value, cameraId);
      return { document: doc, issues: validateDocument(doc, service.validation, req.query.lang).issues };
    },
  );

  async function frameFor(cameraId: string, width?: number, height?: number) {
    if (width !== undefined && height !== undefined) return { width, height };
    const snap = service.snapshots.latest(cameraId);
    if (snap) return { width: snap.width, height: snap.height };
    const doc = await service.versions.latestDocument(cameraId);
    if (doc) return { width: doc.frame_width, height: doc.frame_height };
    throw calibrationError(
      400,
      'VOLNO_BAD_REQUEST',
      'PKLot files do not say the frame size: give width and height, or take a snapshot first',
    );
  }

  app.get(
    '/cameras/:camera_id/calibrations/:version/export',
    {
      preHandler: access.require('viewer'),
      schema: {
        ...base,
        summary: 'Download a version as PKLot XML, labelled-frame JSON or Volno JSON',
        params: VersionParams,
        querystring: FormatQuery,
        response: { 200: Type.String(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const { camera_id: cameraId, version } = req.params;
      await camera(cameraId);
      const row = await service.versions.get(cameraId, version);
      if (!row) throw calibrationError(404, 'VOLNO_NOT_FOUND', `camera ${cameraId} has no version ${version}`);
      const name = `${cameraId}-v${version}`;
      const [text, ext, type] =
        req.query.format === 'pklot'
          ? [exportPklotXml(row.document, { parkingId: cameraId }), 'xml', 'application/xml']
          : req.query.format === 'labelled'
            ? [exportLabelledFrame(row.document, { image: `${name}.jpg` }), 'json', 'application/json']
            : [serializeCalibrationDocument(row.document), 'json', 'application/json'];
      return reply
        .type(`${type}; charset=utf-8`)
        .header(
          'content-disposition',
          `attachment; filename="${name}${req.query.format === 'labelled' ? '.labelled' : ''}.${ext}"`,
        )
        .header('cache-control', 'no-store')
        .send(text);
    },
  );
};

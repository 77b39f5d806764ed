import type { CalibrationDocument } from '../../../calibration/index.ts';

/** An issue as the server sends it (the core's CalibrationIssue in snake_case). */
export interface ServerIssue {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  slot_indexes?: number[];
}

export interface CameraInfo {
  camera_id: string;
  lot_id: string | null;
  name: string | null;
  agent_status: string | null;
  frame: { width: number; height: number } | null;
  published_version: number | null;
  applied_version: number | null;
  latest_version: number | null;
  camera_moved: boolean;
}

export interface Ack {
  result: 'applied' | 'rejected';
  reason: string | null;
  at: string;
}

export interface VersionInfo {
  version: number;
  author: string;
  created_at: string;
  note: string;
  slot_count: number;
  published_at: string | null;
  ack: Ack | null;
  status: 'draft' | 'pending' | 'applied' | 'rejected';
}

/** A failed call: the server's stable code and message, and its issues when it sent any. */
export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly issues: ServerIssue[] = [],
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

const csrf = (): string => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

/**
 * One call to the staff API. Changes carry the page's CSRF token (the server rejects a session
 * request without it); errors become ApiCallError with the server's code and message.
 */
export async function call<T>(method: string, path: string, body?: unknown, raw?: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf();
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (raw !== undefined) headers['content-type'] = 'text/plain';
  const res = await fetch(`/api/v1/staff${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : raw !== undefined ? { body: raw } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { code?: string; message?: string; issues?: ServerIssue[]; details?: string[] };
    throw new ApiCallError(
      e.message ?? `${method} ${path} failed with HTTP ${res.status}`,
      res.status,
      e.code ?? 'VOLNO_HTTP',
      e.issues ?? [],
      e.details ?? [],
    );
  }
  return json as T;
}

const cam = (id: string) => `/cameras/${encodeURIComponent(id)}`;

/** The calibration staff API (see docs and /work/calibration-api.md), one function per route. */
export const api = {
  cameras: () => call<CameraInfo[]>('GET', '/cameras'),
  snapshot: (id: string) =>
    call<{ snapshot_id: string; width: number; height: number }>('POST', `${cam(id)}/snapshot`, {}),
  snapshotUrl: (id: string, sid: string) => `/api/v1/staff${cam(id)}/snapshots/${encodeURIComponent(sid)}`,
  referenceUrl: (id: string) => `/api/v1/staff${cam(id)}/reference`,
  versions: (id: string) => call<VersionInfo[]>('GET', `${cam(id)}/calibrations`),
  version: (id: string, v: number) =>
    call<VersionInfo & { document: CalibrationDocument }>('GET', `${cam(id)}/calibrations/${v}`),
  save: (id: string, document: CalibrationDocument, note: string, baseVersion: number | null) =>
    call<{ version: number; issues: ServerIssue[] }>('POST', `${cam(id)}/calibrations`, {
      document,
      note,
      base_version: baseVersion,
    }),
  diff: (id: string, v: number) =>
    call<{ against: number; diff: ServerDiff }>('GET', `${cam(id)}/calibrations/${v}/diff`),
  rollback: (id: string, v: number) => call<{ version: number }>('POST', `${cam(id)}/calibrations/${v}/rollback`, {}),
  publish: (id: string, v: number) => call<{ version: number }>('POST', `${cam(id)}/calibrations/${v}/publish`, {}),
  ack: (id: string, v: number) =>
    call<{ status: VersionInfo['status']; ack: Ack | null }>('GET', `${cam(id)}/calibrations/${v}/ack`),
  masks: (id: string) => call<{ masks: CalibrationDocument['privacy_masks'] }>('GET', `${cam(id)}/masks`),
  putMasks: (id: string, masks: CalibrationDocument['privacy_masks']) =>
    call<{ masks: CalibrationDocument['privacy_masks'] }>('PUT', `${cam(id)}/masks`, { masks }),
  reproject: (id: string, reference: number[][], current: number[][], document: CalibrationDocument) =>
    call<{ document: CalibrationDocument; flags: { id: string; kind: string; visible_fraction: number }[] }>(
      'POST',
      `${cam(id)}/reproject`,
      { reference_points: reference, current_points: current, document },
    ),
  importFile: (id: string, format: string, text: string) =>
    call<{ document: CalibrationDocument }>(
      'POST',
      `${cam(id)}/calibrations/import?format=${encodeURIComponent(format)}`,
      undefined,
      text,
    ),
  labelSnapshot: (id: string) => call<LabelSnapshot>('POST', `${cam(id)}/labels/snapshot`, {}),
  saveLabels: (id: string, snapshotId: string, labels: { slot_id: string; occupied: boolean }[]) =>
    call<LabelResult>('POST', `${cam(id)}/labels`, { snapshot_id: snapshotId, labels }),
  exportUrl: (id: string, v: number, format: string) =>
    `/api/v1/staff${cam(id)}/calibrations/${v}/export?format=${encodeURIComponent(format)}`,
};

/** POST /cameras/:id/labels/snapshot: a fresh picture with the model's state per slot. */
export interface LabelSnapshot {
  snapshot_id: string;
  width: number;
  height: number;
  tuning: { available: boolean; reason?: string };
  model_id?: string;
  calibration_version?: number;
  slots: { slot_id: string; polygon: number[][]; p_occupied: number; occupied: boolean }[];
}

export interface LabelResult {
  stored: number;
  labels: number;
  accuracy: { labels: number; accuracy_generic: number; accuracy_tuned: number; tuned_version: number | null };
  published_version: number | null;
  message: string;
}

export interface ServerDiff {
  identical: boolean;
  slots: {
    added: { id: string }[];
    removed: { id: string }[];
    moved: { id: string; max_shift_px: number }[];
    changed: { id: string; changes: { field: string; before: unknown; after: unknown }[] }[];
    unchanged: number;
  };
  masks: { added: { id: string }[]; removed: { id: string }[]; moved: { id: string }[] };
}

import { Type } from 'typebox';
import type { Accuracy } from './label-store.ts';

/** A camera's measured accuracy on its staff labels, as the API and the staff pages show it. */
export const AccuracyJson = Type.Object(
  {
    model_id: Type.String(),
    labels: Type.Integer({ description: 'Labelled slots the figures are measured on.' }),
    accuracy_generic: Type.Number({ description: 'The model’s generic head on those labels.' }),
    accuracy_tuned: Type.Number({
      description: 'The tuned head, cross-validated: each label judged by a head not fitted on it.',
    }),
    tuned_version: Type.Union([Type.Integer(), Type.Null()], {
      description: 'The calibration version that shipped the tuned head; null when it did not beat the generic one.',
    }),
    measured_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, title: 'Accuracy on staff labels' },
);

export function accuracyJson(a: Accuracy) {
  return {
    model_id: a.modelId,
    labels: a.labels,
    accuracy_generic: a.accuracyGeneric,
    accuracy_tuned: a.accuracyTuned,
    tuned_version: a.shippedVersion,
    measured_at: new Date(a.measuredAt).toISOString(),
  };
}

import { documentsNotOfStep } from '../domain/catalogues';
import type { StepCode } from '../domain/procedures';
import { ProblemError } from './problem';

/**
 * Documents a step does not take (a residence paper sent to the birth registration): a 400 naming each,
 * as a field of the request's `documents`.
 */
export function checkStepDocuments(step: StepCode, documents: readonly string[], field = 'body.documents'): void {
  const foreign = documentsNotOfStep(step, documents);
  if (foreign.length === 0) return;
  throw new ProblemError(
    400,
    'Invalid request',
    `${foreign.length} document(s) are not taken by ${step}`,
    foreign.map((code) => ({ field: `${field}.${documents.indexOf(code)}`, reason: `not a document of ${step}` })),
  );
}

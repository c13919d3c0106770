import type { UndoTaskResult } from './agency-contract';

/**
 * One attempt's answer, whoever gave it: the agency's system (performStep) or an officer working a
 * manual task. Both are recorded on the step row the same way.
 */
export type StepOutcome =
  | { status: 'COMPLETED'; result: object }
  | { status: 'REFUSED'; refusalCode: string; reason: string }
  | { status: 'SUPPLEMENT_REQUESTED'; reason: string };

/** An officer's answer to an UNDO task (an act done by hand is undone by hand). */
export type UndoOutcome = { status: 'COMPLETED'; result: UndoTaskResult } | { status: 'REFUSED'; refusalCode: string; reason: string };

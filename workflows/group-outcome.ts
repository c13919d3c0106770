import type { GroupOutcomeStatus, StepOutcomeStatus } from './contract';

/**
 * How a group ends, from its steps' outcomes. A refused later step never undoes earlier legal acts:
 * the group then ends partially completed and each step says whether it stands.
 */
export function groupOutcomeStatus(steps: readonly StepOutcomeStatus[]): GroupOutcomeStatus {
  if (steps.every((s) => s === 'COMPLETED')) return 'COMPLETED';
  if (steps.includes('COMPLETED')) return 'PARTIALLY_COMPLETED';
  return 'REFUSED';
}

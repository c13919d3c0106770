import { proxyActivities } from '@temporalio/workflow';
import type { DossierActivities } from '../activities';

/**
 * Run by a Temporal schedule every few minutes: escalates every step whose agency's deadline has
 * passed, and announces the escalations whose announcement is due (new, or failed and waited out).
 * One sweep over an index instead of a timer per step keeps dossier histories small.
 */
export async function deadlineSweepWorkflow(limit = 500): Promise<{ escalated: number; failed: number }> {
  const { escalateOverdueSteps } = proxyActivities<DossierActivities>({
    startToCloseTimeout: '5 minutes',
    retry: { maximumAttempts: 3 },
  });
  return escalateOverdueSteps({ limit });
}

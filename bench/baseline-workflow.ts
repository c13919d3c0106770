import { proxyActivities } from '@temporalio/workflow';

/** The baseline's only activity: returns at once, touches nothing. */
export interface BaselineActivities {
  noop(): Promise<void>;
}

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });

/**
 * Temporal's own cost for the birth group's shape, with no work inside: birth registration, then the
 * personal ID number, then residence and health insurance in parallel, then the closing bookkeeping
 * (recordGroupOutcome) — five activities, like procedureGroupWorkflow with all four procedures.
 */
export async function baselineWorkflow(): Promise<'COMPLETED'> {
  await noop();
  await noop();
  await Promise.all([noop(), noop()]);
  await noop();
  return 'COMPLETED';
}

/**
 * The same for the death group with its three procedures: death registration, then residence removal,
 * funeral allowance and survivor benefit in parallel, then the closing bookkeeping.
 */
export async function deathBaselineWorkflow(): Promise<'COMPLETED'> {
  await noop();
  await Promise.all([noop(), noop(), noop()]);
  await noop();
  return 'COMPLETED';
}

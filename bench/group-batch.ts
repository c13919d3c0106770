import type { Client } from '@temporalio/client';
import type { Intake } from '../domain/intake';
// The tests' sample intakes (every procedure of the group); shared rather than copied.
import { birthIntake, deathIntake } from '../tests/support/fixtures';
import type { GroupOutcome } from '../workflows/contract';
import { runBatch, type BatchResult } from './harness';

/** The groups a bench files: a birth with all four procedures, a death with all three. */
export const sampleIntakes: Record<Intake['group'], () => Intake> = { BIRTH: () => birthIntake(), DEATH: () => deathIntake() };

/**
 * Procedure groups as a desk files them: each intake is a `POST /v1/dossiers` over HTTP, then the bench
 * waits for the workflow's result, which must be COMPLETED. Latency: from just before the POST to the
 * result. The intakes are made before the clock starts; `filed` receives each accepted dossier number.
 */
export function groupBatch(options: {
  label: string;
  /** Default: birth groups. */
  group?: Intake['group'];
  count: number;
  concurrency: number;
  apiUrl: string;
  clerkToken: string;
  temporal: Client;
  signal: AbortSignal;
  filed?: (dossierNumber: string) => void;
}): Promise<BatchResult> {
  const { apiUrl, clerkToken, temporal } = options;
  const intakes = Array.from({ length: options.count }, () => sampleIntakes[options.group ?? 'BIRTH']());
  const bodies = intakes.map((intake) => JSON.stringify(intake));
  return runBatch(options.label, options.count, options.concurrency, options.signal, async (index, jobSignal) => {
    const response = await fetch(`${apiUrl}/v1/dossiers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${clerkToken}` },
      body: bodies[index],
      signal: jobSignal,
    });
    const receipt = (await response.json()) as { workflowId?: string; detail?: string };
    if (response.status !== 201 || !receipt.workflowId) throw new Error(`intake answered ${response.status} ${receipt.detail ?? ''}`);
    options.filed?.(intakes[index]!.dossierNumber);
    const workflowId = receipt.workflowId;
    const outcome = (await temporal.withAbortSignal(jobSignal, () => temporal.workflow.getHandle(workflowId).result())) as GroupOutcome;
    if (outcome.status !== 'COMPLETED') throw new Error(`group ended ${outcome.status}`);
  });
}

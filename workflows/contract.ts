import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';
import type { ProcedureGroup, StepCode } from '../domain/procedures';

/**
 * Names and types shared by the API (client), the worker and the workflows: the one source of truth
 * for how a dossier's workflow is started, identified, queried and listed.
 */
export const workflowTypes = { procedureGroup: 'procedureGroupWorkflow' } as const;

/** One workflow per dossier: the dossier number is the idempotency key of the intake. */
export function workflowIdFor(dossierNumber: string): string {
  return `dossier-${dossierNumber}`;
}

export const searchAttributes = {
  procedureGroup: defineSearchAttributeKey('ProcedureGroup', SearchAttributeType.KEYWORD),
  dossierNumber: defineSearchAttributeKey('DossierNumber', SearchAttributeType.KEYWORD),
  dossierStatus: defineSearchAttributeKey('DossierStatus', SearchAttributeType.KEYWORD),
  currentStep: defineSearchAttributeKey('CurrentStep', SearchAttributeType.KEYWORD_LIST),
  provinceCode: defineSearchAttributeKey('ProvinceCode', SearchAttributeType.KEYWORD),
  communeCode: defineSearchAttributeKey('CommuneCode', SearchAttributeType.KEYWORD),
} as const;

/** `--search-attribute` values for `temporal server start-dev` and the operator API. */
export const searchAttributeRegistrations: { name: string; type: 'Keyword' | 'KeywordList' }[] = Object.values(
  searchAttributes,
).map((key) => ({ name: key.name, type: key.type === SearchAttributeType.KEYWORD_LIST ? 'KeywordList' : 'Keyword' }));

export interface StepRetryPolicy {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
}

export interface GroupWorkflowInput {
  dossierId: string;
  dossierNumber: string;
  group: ProcedureGroup;
  /** The planned steps (mandatory + chosen optional), fixed at intake. */
  steps: StepCode[];
  retry: StepRetryPolicy;
}

export type StepOutcomeStatus = 'COMPLETED' | 'REFUSED' | 'FAILED' | 'BLOCKED';
export type GroupOutcomeStatus = 'COMPLETED' | 'PARTIALLY_COMPLETED' | 'REFUSED' | 'FAILED';

export interface StepProgress {
  step: StepCode;
  status: 'PENDING' | 'RUNNING' | StepOutcomeStatus;
}

export interface GroupOutcome {
  status: GroupOutcomeStatus;
  steps: StepProgress[];
}

export const progressQuery = defineQuery<StepProgress[]>('progress');

/** Error type an activity raises for an agency answer that no retry can fix (contract violation). */
export const nonRetryableAgencyError = 'AgencyContractError';

import { agencyRoles, type AgencyRole } from './procedures';
import type { Place } from './principal';

/**
 * Which agencies work their steps by hand (a task in the agency's inbox) instead of through their
 * system (the adapter calls the agency's API), and where. Pure: parsing and matching only.
 *
 * Configuration format (`MANUAL_STEPS`): a comma-separated list of `AGENCY[@province[/commune]]`:
 *   `COMMUNE_POLICE@79,SOCIAL_SECURITY,CIVIL_STATUS@79/26743`
 * means the commune police's steps are manual in province 79, social security's everywhere, and the
 * civil-status office's only in commune 26743 of province 79. Anything not matched is automated.
 */

/** AUTOMATED: the activity calls the agency's system. MANUAL: a task waits in the agency's inbox. */
export const stepModes = ['AUTOMATED', 'MANUAL'] as const;
export type StepMode = (typeof stepModes)[number];

export interface ManualStepRule {
  agency: AgencyRole;
  provinceCode?: string;
  communeCode?: string;
}

const entryPattern = /^([A-Z_]+)(?:@(\d{2})(?:\/(\d{5}))?)?$/;

export class StepModeConfigError extends Error {}

/** Parses `MANUAL_STEPS`; throws StepModeConfigError naming the first malformed entry. */
export function parseManualSteps(value: string | undefined): ManualStepRule[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((raw) => {
    const entry = raw.trim();
    const match = entryPattern.exec(entry);
    if (!match) throw new StepModeConfigError(`'${entry}': expected AGENCY[@province[/commune]], e.g. COMMUNE_POLICE@79/26743`);
    const [, agency, provinceCode, communeCode] = match;
    if (!(agencyRoles as readonly string[]).includes(agency as string)) {
      throw new StepModeConfigError(`'${entry}': unknown agency ${agency} (one of ${agencyRoles.join(', ')})`);
    }
    return {
      agency: agency as AgencyRole,
      ...(provinceCode ? { provinceCode } : {}),
      ...(communeCode ? { communeCode } : {}),
    };
  });
}

/** Whether a rule covers a place: no province means everywhere, no commune the whole province. */
export function ruleCovers(rule: ManualStepRule, agency: string, place: Place): boolean {
  if (rule.agency !== agency) return false;
  if (rule.provinceCode !== undefined && rule.provinceCode !== place.provinceCode) return false;
  return rule.communeCode === undefined || rule.communeCode === place.communeCode;
}

/** The mode of a step done by `agency` for a dossier filed at `place`. */
export function stepModeFor(rules: readonly ManualStepRule[], agency: string, place: Place): StepMode {
  return rules.some((rule) => ruleCovers(rule, agency, place)) ? 'MANUAL' : 'AUTOMATED';
}

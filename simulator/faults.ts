import { z } from 'zod';
import { agencyPathPrefix } from '../domain/agency-contract';
import { agencyRoles, type AgencyRole } from '../domain/procedures';

/** The agencies the simulator plays, named as in their paths (civil-status, police, …). */
export const simulatedAgencies = agencyRoles.map((role) => agencyPathPrefix[role].slice(1));
export type SimulatedAgency = string;

export function simulatedAgencyOf(role: AgencyRole): SimulatedAgency {
  return agencyPathPrefix[role].slice(1);
}

export const faultSettingsSchema = z.object({
  /** Added to every answer, like a slow provincial link. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Share of calls answered 500 before anything is done. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Share of calls done but answered 504, as when the answer is lost on the way back. */
  lostAnswerRate: z.number().min(0).max(1).default(0),
  /** Share of calls refused as a business decision (HTTP 422). */
  refusalRate: z.number().min(0).max(1).default(0),
  refusalCode: z.string().min(1).default('DATA_MISMATCH'),
  /** Share of calls answered with a request for more documents from the citizen. */
  supplementRate: z.number().min(0).max(1).default(0),
  /** Undo calls fail (HTTP 500) while this is set, as an agency whose cancellation service is down. */
  undoOutage: z.boolean().default(false),
  /** The whole system is down: every call answers 503. */
  outage: z.boolean().default(false),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export function defaultFaults(): Record<SimulatedAgency, FaultSettings> {
  return Object.fromEntries(simulatedAgencies.map((a) => [a, faultSettingsSchema.parse({})]));
}

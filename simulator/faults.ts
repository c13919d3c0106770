import { z } from 'zod';

/** The agencies the simulator plays, each with its own fault settings. */
export const simulatedAgencies = ['civil-status', 'population', 'police', 'social-security'] as const;
export type SimulatedAgency = (typeof simulatedAgencies)[number];

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
  /** The whole system is down: every call answers 503. */
  outage: z.boolean().default(false),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export function defaultFaults(): Record<SimulatedAgency, FaultSettings> {
  return Object.fromEntries(simulatedAgencies.map((a) => [a, faultSettingsSchema.parse({})])) as Record<SimulatedAgency, FaultSettings>;
}

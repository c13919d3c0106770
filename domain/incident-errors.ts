/**
 * What kind of failure parked a step, read from the incident's technical message: the groups a
 * supervisor decides in bulk (the police's system down in one province, a protocol mismatch…) and the
 * words the console says them in. Pure: the API groups with it, the console explains with it.
 */
export const incidentErrorTypes = [
  'UNDO_REFUSED',
  'AGENCY_UNAVAILABLE',
  'AGENCY_TIMEOUT',
  'AGENCY_UNREACHABLE',
  'AGENCY_PROTOCOL',
  'SUPERSEDED',
  'OTHER',
] as const;
export type IncidentErrorType = (typeof incidentErrorTypes)[number];

/** First match wins: an undo refused over HTTP 422 is a refusal, not a protocol mismatch. */
const patterns: [IncidentErrorType, RegExp][] = [
  ['UNDO_REFUSED', /(\w+) refused to undo (\w+) \((\w+)\)/],
  ['AGENCY_UNAVAILABLE', /HTTP (429|5\d\d)|unavailable|is down/i],
  ['AGENCY_TIMEOUT', /HTTP 408|time(d)? ?out|abort/i],
  ['AGENCY_UNREACHABLE', /fetch failed|ECONN|socket|network/i],
  ['AGENCY_PROTOCOL', /422 without code|unexpected answer|HTTP 4\d\d/],
  ['SUPERSEDED', /superseded/],
];

/** The error type of an incident's message, with the pattern's match (the undo refusal names its agency, step and code). */
export function classifyIncidentError(lastError: string | null | undefined): { type: IncidentErrorType; match: RegExpExecArray | null } {
  for (const [type, pattern] of patterns) {
    const match = lastError ? pattern.exec(lastError) : null;
    if (match) return { type, match };
  }
  return { type: 'OTHER', match: null };
}

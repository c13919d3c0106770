/**
 * The API's one error format: RFC 9457 problem details, with `errors` naming each offending field.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
})
  // One component in the OpenAPI document, referred to by every error response.
  .meta({ id: 'Problem', description: 'Problem details (RFC 9457); `errors` names each offending field' });

/** RFC 9457's own media type: what sendProblem sends, and what the OpenAPI document must say. */
export const problemMediaType = 'application/problem+json';

/** What each status means in this API, for the OpenAPI document's responses. */
const problemDescriptions = {
  400: 'Invalid request: the problem names each invalid field',
  401: 'No valid bearer token (WWW-Authenticate says why)',
  403: 'Not allowed to this role, agency or jurisdiction',
  404: 'Not found, or out of the caller\'s reach',
  409: 'Not possible in the current state',
  413: 'Body larger than 1 MiB',
  415: 'Body not sent as application/json',
  422: 'Well-formed, but contradicts what is already recorded',
  429: 'Too many requests: retry after Retry-After seconds',
  503: 'A dependency (database, workflow service, identity provider) is unavailable: retry after Retry-After seconds',
} as const;
export type ProblemStatus = keyof typeof problemDescriptions;

/** Headers that come with a status whoever answers it: sendProblem (503), the rate limit (429), authentication (401). */
const retryAfter = { 'retry-after': { type: 'integer', minimum: 0, description: 'Seconds to wait before retrying' } };
const problemHeaders: Partial<Record<ProblemStatus, Record<string, object>>> = {
  401: { 'www-authenticate': { type: 'string', description: 'The Bearer challenge (RFC 6750)' } },
  429: retryAfter,
  503: retryAfter,
};

const problemResponse = (status: ProblemStatus) => ({
  description: problemDescriptions[status],
  content: { [problemMediaType]: { schema: problemSchema } },
  ...(problemHeaders[status] ? { headers: problemHeaders[status] } : {}),
});

/** A route's problem answers, as `response` entries: `response: { 200: ..., ...problemResponses(404, 409) }`. */
export function problemResponses<S extends ProblemStatus>(...statuses: S[]): Record<S, ReturnType<typeof problemResponse>> {
  return Object.fromEntries(statuses.map((status) => [status, problemResponse(status)])) as Record<S, ReturnType<typeof problemResponse>>;
}

export interface FieldError {
  field: string;
  reason: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? title);
  }

  toProblem(): Problem {
    return {
      type: `https://lien-thong.gov.vn/problems/${this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/**
 * A dependency (Temporal, PostgreSQL) is unreachable: 503 with `Retry-After`, so clients back off
 * and retry instead of treating the request as refused.
 */
export class ServiceUnavailableError extends ProblemError {
  constructor(
    title: string,
    detail: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(503, title, detail);
  }
}

/** Answers with a problem: the one place a 503 gets its `Retry-After`, whoever raised it. */
export function sendProblem(reply: FastifyReply, problem: ProblemError, headers: Record<string, string> = {}): FastifyReply {
  if (problem instanceof ServiceUnavailableError) reply.header('retry-after', String(problem.retryAfterSeconds));
  return reply.code(problem.status).headers(headers).type(problemMediaType).send(problem.toProblem());
}

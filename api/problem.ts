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
});

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
  return reply.code(problem.status).headers(headers).type('application/problem+json').send(problem.toProblem());
}

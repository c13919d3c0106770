import { Prisma } from './database';

/** How long an outbox row waits after a failed try: `initialSeconds`, doubling, never above `maxSeconds`. */
export interface Backoff {
  initialSeconds: number;
  maxSeconds: number;
}

/**
 * SQL for when a row is tried next, given the failures before this one (`failuresBefore`: the attempts
 * column as an UPDATE reads it, before its own increment).
 */
export function nextAttemptAt(failuresBefore: Prisma.Sql, { initialSeconds, maxSeconds }: Backoff): Prisma.Sql {
  return Prisma.sql`now() + least(${initialSeconds}::float8 * power(2, ${failuresBefore}), ${maxSeconds}::float8) * interval '1 second'`;
}

/** SQL for a row's given-up time: now once `attempts` (counting this one) reached `maxAttempts`, else null. */
export function givenUpAt(attempts: Prisma.Sql, maxAttempts: number): Prisma.Sql {
  return Prisma.sql`CASE WHEN ${attempts} >= ${maxAttempts} THEN now() END`;
}

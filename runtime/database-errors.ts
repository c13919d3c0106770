import { Prisma } from './database';

/** Prisma's codes for "the database cannot be reached or stopped answering", not a bad query. */
const unreachableCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** The pg adapter's kinds for a connection that failed, closed or timed out. */
const unreachableKinds = new Set(['DatabaseNotReachable', 'DatabaseDoesNotExist', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** PostgreSQL SQLSTATEs of a server going away: connection exceptions (08), shutdown (57P01-03). */
const unavailableSqlState = /^(08|57P0[1-3])/;
const socketErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

/**
 * Whether an error means PostgreSQL is unavailable (the request may succeed if repeated later), as
 * opposed to a fault in the request or the code. Those are answered 503 with Retry-After.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (unreachableCodes.has(error.code)) return true;
    const cause = (error.meta?.driverAdapterError as { cause?: { kind?: string; originalCode?: string; code?: string } } | undefined)?.cause;
    if (cause?.kind && unreachableKinds.has(cause.kind)) return true;
    const sqlState = cause?.originalCode ?? cause?.code;
    return typeof sqlState === 'string' && unavailableSqlState.test(sqlState);
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (socketErrors.has(code) || unavailableSqlState.test(code));
}

/** A unique key refused a second row: a repeat, or the loser of two requests racing (also through raw SQL). */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === 'P2002') return true;
  const cause = (error.meta?.driverAdapterError as { cause?: { originalCode?: string; code?: string; kind?: string } } | undefined)?.cause;
  return cause?.kind === 'UniqueConstraintViolation' || (cause?.originalCode ?? cause?.code ?? (error.meta as { code?: string } | undefined)?.code) === '23505';
}

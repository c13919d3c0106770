import { isUniqueViolation } from '../runtime/database-errors';

/**
 * A row created once under its unique key (an intake's dossier number, a notice's facility and
 * number): a repeat reads the first request's row, and so does the loser of two requests racing.
 */
export async function createOnce<Row>(find: () => Promise<Row | null>, create: () => Promise<Row>): Promise<{ row: Row; created: boolean }> {
  const found = await find();
  if (found) return { row: found, created: false };
  try {
    return { row: await create(), created: true };
  } catch (error) {
    const winner = isUniqueViolation(error) ? await find() : null;
    if (!winner) throw error;
    return { row: winner, created: false };
  }
}

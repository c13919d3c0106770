import { personalIdMismatch } from '../domain/identifiers';
import { intakeSchema } from '../domain/intake';
import type { Database } from '../runtime/database';
import { ProblemError } from './problem';

/**
 * An identifier an officer types in is checked as the issuing agency's system checks it: a personal ID
 * number must fit the child (province of the birth registration, century and sex, birth year) and must
 * not be on another dossier already. The conflict names no dossier: a number must not reveal whose it is.
 * (A unique index on the ID-number steps' results is the backstop when two officers race.)
 */
export async function checkEnteredIdentifiers(db: Database, task: { dossierId: string; step: string }, result: Record<string, unknown>): Promise<void> {
  if (task.step !== 'PERSONAL_ID' || typeof result.personalIdNumber !== 'string') return;
  const id = result.personalIdNumber;
  const dossier = await db.dossier.findUniqueOrThrow({ where: { id: task.dossierId }, select: { intake: true, provinceCode: true } });
  const intake = intakeSchema.parse(dossier.intake);
  if (intake.group !== 'BIRTH') return;
  const reason = personalIdMismatch(id, { provinceCode: dossier.provinceCode, birthYear: Number(intake.child.dateOfBirth.slice(0, 4)), sex: intake.child.sex });
  if (reason) throw new ProblemError(400, 'Invalid request', 'the personal ID number does not fit the child', [{ field: 'body.result.personalIdNumber', reason }]);
  const taken = await db.$queryRaw<unknown[]>`
    SELECT 1 FROM dossier_step WHERE step = 'PERSONAL_ID' AND result ->> 'personalIdNumber' = ${id} AND dossier_id <> ${task.dossierId}::uuid LIMIT 1`;
  if (taken.length > 0) {
    throw new ProblemError(409, 'Personal ID number already issued', 'this personal ID number is already issued to another person', [
      { field: 'body.result.personalIdNumber', reason: 'already issued' },
    ]);
  }
}

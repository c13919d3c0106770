import { stepDefinition, type ProcedureGroup, type StepCode } from '../domain/procedures';
import type { WorkingCalendar } from '../domain/working-days';

/** When the agency's time for a step runs out: its definition's working days from the step's start. */
export function stepDueAt(
  calendar: WorkingCalendar,
  dossier: { procedureGroup: ProcedureGroup; definitionVersion: number },
  step: StepCode,
  startedAt: Date,
): Date {
  return calendar.dueAt(startedAt, stepDefinition(dossier.procedureGroup, step, dossier.definitionVersion).deadlineWorkingDays);
}

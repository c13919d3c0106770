import type { PrincipalRole } from './principal';

/**
 * Who reads a citizen's name in full in lists: the desk that files the dossier with the family and the
 * agencies that decide its steps (their tasks carry the whole request). Supervisors follow the flow of a
 * province or the nation, not people: they read names masked.
 */
const readsNamesInFull: Readonly<Record<PrincipalRole, boolean>> = {
  CLERK: true,
  AGENCY_OFFICER: true,
  AGENCY_SYSTEM: true,
  SUPERVISOR: false,
  PORTAL: false,
};

/** "Nguyễn Văn An" → "N••• V••• A•••": enough to tell two dossiers apart on a list, not to name anyone. */
export function maskedName(fullName: string): string {
  return fullName
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => `${Array.from(word)[0]}•••`)
    .join(' ');
}

export function nameAsShownTo(role: PrincipalRole, fullName: string): string {
  return readsNamesInFull[role] ? fullName : maskedName(fullName);
}

/** The person a dossier is about: the child of a birth, the deceased of a death. */
export function dossierSubjectName(intake: unknown): string | null {
  const record = intake as { child?: { fullName?: unknown }; deceased?: { fullName?: unknown } } | null;
  const name = record?.child?.fullName ?? record?.deceased?.fullName;
  return typeof name === 'string' ? name : null;
}

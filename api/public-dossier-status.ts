import { z } from 'zod';
import { documentTypeCodes } from '../domain/catalogues';
import { dossierNumberSchema } from '../domain/intake';
import { oneStopOffice } from '../domain/one-stop-offices';
import { collectionDocuments, resultDocumentKinds, resultsAvailable } from '../domain/result-documents';
import { procedureGroups } from '../domain/procedures';
import { receiptCodeSchema } from '../domain/receipt-code';
import { dossierStatuses, type StepStatus } from '../domain/statuses';
import type { Database } from '../runtime/database';
import { ProblemError } from './problem';
import type { ReceiptCodes } from './receipt-codes';
import { appointmentAt, appointmentChangeSchema, appointmentChangesInclude, appointmentChangeView } from './appointment-view';
import { iso, timestamp } from './schemas';
import { stoppingOf, stoppingSchema } from './stopping-dossiers';

export const publicStatusQuerySchema = z.object({
  dossierNumber: dossierNumberSchema.describe('The dossier number on the receipt'),
  receiptCode: receiptCodeSchema.describe('The receipt code on the receipt; case, spaces and dashes do not matter, O reads as 0, I and L as 1'),
});

/**
 * A step as the citizen follows it: the agencies' internals folded away. An incident (an agency's
 * system failing, a supervisor deciding) is still the dossier being worked on; a step that could not or
 * need not run is simply not performed; an act undone after a withdrawal or cancellation is UNDONE.
 */
export const citizenStepStatuses = ['WAITING', 'IN_PROGRESS', 'WAITING_FOR_CITIZEN', 'COMPLETED', 'REFUSED', 'NOT_PERFORMED', 'UNDONE'] as const;
type CitizenStepStatus = (typeof citizenStepStatuses)[number];

const citizenStatusOf: Record<StepStatus, CitizenStepStatus> = {
  PENDING: 'WAITING',
  RUNNING: 'IN_PROGRESS',
  INCIDENT: 'IN_PROGRESS',
  WAITING_FOR_SUPPLEMENT: 'WAITING_FOR_CITIZEN',
  COMPLETED: 'COMPLETED',
  REFUSED: 'REFUSED',
  BLOCKED: 'NOT_PERFORMED',
  SKIPPED: 'NOT_PERFORMED',
  CANCELLED: 'NOT_PERFORMED',
  COMPENSATION_SKIPPED: 'NOT_PERFORMED',
  COMPENSATED: 'UNDONE',
};

/**
 * What the citizen is expected to do: bring the supplement an agency asked for (to the one-stop desk,
 * before `supplementDueAt`), or ask the desk about a refused step. The agency's reason is not given:
 * an officer's free text may name people, so the desk, which sees it, explains it.
 */
export const citizenActions = ['NONE', 'BRING_SUPPLEMENT', 'CONTACT_DESK'] as const;
type CitizenAction = (typeof citizenActions)[number];

export const publicDossierStatusSchema = z
  .object({
    dossierNumber: z.string(),
    procedureGroup: z.enum(procedureGroups),
    status: z.enum(dossierStatuses).describe("The group's status"),
    stopping: stoppingSchema,
    receivedAt: z.iso.datetime(),
    dueAt: z.iso.datetime().describe('The appointment: when the results are due (working days from receipt)'),
    appointmentAt: z.iso.datetime().describe('The appointment now: dueAt, or the new date of the latest apology for lateness'),
    appointmentChanges: z.array(appointmentChangeSchema).describe('Apologies for lateness and the verification extension, oldest first'),
    completedAt: timestamp,
    citizenAction: z.enum(citizenActions).describe('What the citizen should do now, over all steps'),
    office: z
      .object({ name: z.string(), address: z.string(), hours: z.string().optional() })
      .describe('The one-stop desk of the dossier: where supplements are brought and paper results collected'),
    documentsToBring: z.array(z.enum(documentTypeCodes)).describe('What to bring to collect the results at the desk (besides the receipt); the console names each'),
    results: z
      .array(z.enum(resultDocumentKinds))
      .describe('The result documents downloadable now (POST /v1/public/dossier-results/{document}); empty until the group ends with its registration done'),
    steps: z.array(
      z.object({
        step: z.string().describe('Step code, e.g. BIRTH_REGISTRATION; the console names it in Vietnamese'),
        agency: z.string().describe('Agency role code, e.g. COMMUNE_POLICE'),
        status: z.enum(citizenStepStatuses),
        startedAt: timestamp,
        finishedAt: timestamp,
        citizenAction: z.enum(citizenActions),
        supplementDueAt: timestamp.describe('BRING_SUPPLEMENT: the last moment to bring it'),
      }),
    ),
  })
  .describe('Step statuses and dates, the desk and what to bring only: no names, ID numbers, results or officers');
export type PublicDossierStatus = z.infer<typeof publicDossierStatusSchema>;

/** One answer for a wrong code, an unknown number and a dossier without a code: none tells which. */
export const notFound = () => new ProblemError(404, 'Not found', 'no dossier matches this dossier number and receipt code');

const actionOf = (status: CitizenStepStatus): CitizenAction =>
  status === 'WAITING_FOR_CITIZEN' ? 'BRING_SUPPLEMENT' : status === 'REFUSED' ? 'CONTACT_DESK' : 'NONE';

/**
 * The number's key, read the same way whether the dossier exists or not: always one row of the same
 * two columns and sizes — the id ('' for none) and a 32-byte digest, the stand-in when the dossier is
 * unknown or has no code. A plain find answers an unknown number with no row, measurably sooner.
 */
export async function receiptKey(db: Database, codes: ReceiptCodes, dossierNumber: string): Promise<{ id: string; digest: Uint8Array }> {
  const [row] = await db.$queryRaw<{ id: string; digest: Uint8Array }[]>`
    SELECT coalesce(d.id::text, '') AS id, coalesce(d.receipt_code_hash, ${codes.unmatchable}) AS digest
    FROM (SELECT 1) AS one LEFT JOIN dossier d ON d.dossier_number = ${dossierNumber}`;
  return row!;
}

/**
 * The dossier as its receipt opens it to anyone holding it. Every lookup does the same work before it
 * answers (the key's one read, one HMAC, one comparison of two 32-byte digests); the steps are read
 * only once the code matched.
 */
export async function readPublicDossierStatus(
  db: Database,
  codes: ReceiptCodes,
  query: z.infer<typeof publicStatusQuerySchema>,
): Promise<PublicDossierStatus> {
  const { dossierNumber, receiptCode } = query;
  const key = await receiptKey(db, codes, dossierNumber);
  if (!codes.matches(dossierNumber, receiptCode, key.digest) || key.id === '') throw notFound();
  const dossier = await db.dossier.findUniqueOrThrow({
    where: { id: key.id },
    select: {
      dossierNumber: true,
      procedureGroup: true,
      provinceCode: true,
      communeCode: true,
      status: true,
      receivedAt: true,
      dueAt: true,
      appointmentAt: true,
      appointmentChanges: appointmentChangesInclude,
      completedAt: true,
      selectedSteps: true,
      steps: { select: { step: true, agency: true, status: true, startedAt: true, finishedAt: true, supplementDueAt: true } },
    },
  });
  const stopping = (await stoppingOf(db, [key.id])).get(key.id) ?? null;
  const order = dossier.selectedSteps;
  const steps = [...dossier.steps]
    .sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step))
    .map((s) => {
      const status = citizenStatusOf[s.status];
      return {
        step: s.step,
        agency: s.agency,
        status,
        startedAt: iso(s.startedAt),
        finishedAt: iso(s.finishedAt),
        citizenAction: actionOf(status),
        supplementDueAt: status === 'WAITING_FOR_CITIZEN' ? iso(s.supplementDueAt) : null,
      };
    });
  const actions = new Set(steps.map((s) => s.citizenAction));
  return {
    dossierNumber: dossier.dossierNumber,
    procedureGroup: dossier.procedureGroup,
    status: dossier.status,
    stopping,
    receivedAt: dossier.receivedAt.toISOString(),
    dueAt: dossier.dueAt.toISOString(),
    appointmentAt: appointmentAt(dossier).toISOString(),
    appointmentChanges: dossier.appointmentChanges.map(appointmentChangeView),
    completedAt: iso(dossier.completedAt),
    citizenAction: actions.has('BRING_SUPPLEMENT') ? 'BRING_SUPPLEMENT' : actions.has('CONTACT_DESK') ? 'CONTACT_DESK' : 'NONE',
    office: oneStopOffice(dossier),
    documentsToBring: [...collectionDocuments],
    results: resultsAvailable(dossier) ? [...resultDocumentKinds] : [],
    steps,
  };
}

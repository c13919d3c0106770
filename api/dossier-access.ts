import type { FastifyRequest } from 'fastify';
import { authorize, type DossierAction, type SupervisionAction } from '../domain/authorization';
import type { Database } from '../runtime/database';
import { forbidden, principalOf } from './auth/plugin';
import { ProblemError } from './problem';

/**
 * Loads a dossier for an action, or answers 404/403. A principal that may not see a dossier gets the
 * same 404 as for a missing one only when it may not read it at all; otherwise 403 says why.
 */
export async function dossierFor(db: Database, request: FastifyRequest, dossierNumber: string, action: DossierAction | SupervisionAction) {
  const principal = principalOf(request);
  const dossier = await db.dossier.findUnique({ where: { dossierNumber }, include: { steps: { select: { agency: true } } } });
  if (!dossier) throw new ProblemError(404, 'Dossier not found', `no dossier ${dossierNumber}`);
  const place = { provinceCode: dossier.provinceCode, communeCode: dossier.communeCode };
  const allowed = action.startsWith('supervision.')
    ? authorize(principal, { action: action as SupervisionAction, scope: { scope: 'COMMUNE', ...place } })
    : authorize(principal, { action: action as DossierAction, dossier: { ...place, agencies: dossier.steps.map((s) => s.agency) } });
  if (!allowed) {
    const readable = authorize(principal, { action: 'dossier.read', dossier: { ...place, agencies: dossier.steps.map((s) => s.agency) } });
    if (!readable) throw new ProblemError(404, 'Dossier not found', `no dossier ${dossierNumber}`);
    throw forbidden(`${principal.role} ${principal.subject} may not ${action} dossier ${dossierNumber}`);
  }
  return { dossier, principal };
}

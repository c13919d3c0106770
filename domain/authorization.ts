import type { JurisdictionScope, Place, Principal, PrincipalRole } from './principal';

/**
 * Every authorization rule of the API, in one place and pure (no I/O), so routes only ask and tests
 * can walk every case. Two questions are asked for each call:
 *   1. may this role do this kind of action at all? (the permission matrix below)
 *   2. does this principal reach this dossier, task or scope? (its agency and jurisdiction)
 * `authorize` asks both; the single-question functions are exported for list filters.
 */
export const actions = [
  'dossier.submit',
  'dossier.submitOnline',
  'dossier.read',
  'dossier.readAnnouncements',
  'dossier.withdraw',
  'dossier.supplement',
  'dossier.attach',
  'task.list',
  'task.claim',
  'task.complete',
  'task.refuse',
  'task.requestSupplement',
  'task.apologise',
  'task.declareVerification',
  'supervision.read',
  'supervision.act',
  'notice.submit',
  'notice.read',
  'notice.confirm',
] as const;
export type Action = (typeof actions)[number];
export type DossierAction = Extract<Action, `dossier.${string}`>;
export type TaskAction = Extract<Action, `task.${string}`>;
export type SupervisionAction = Extract<Action, `supervision.${string}`>;
export type NoticeAction = Extract<Action, `notice.${string}`>;

/**
 * The permission matrix: which roles may call which action.
 *
 * - The citizen deals with the commune desk only, so submitting, withdrawing and supplementing a
 *   dossier are the clerk's (the citizen's own portal submissions arrive as a system, not here).
 * - Agencies work tasks; their systems may do everything their officers do, since an agency's
 *   software answering for it is the normal case of Nghị định 63.
 * - Supervisors read everything in their scope and act on supervision (reassign a task, escalate),
 *   but never complete, refuse or claim an agency's task: that legal act is the agency's alone.
 */
export const permissionMatrix: Readonly<Record<Action, readonly PrincipalRole[]>> = {
  'dossier.submit': ['CLERK'],
  // The online channel: the portal files for the citizen VNeID identified (its token's `citizen` claim).
  'dossier.submitOnline': ['PORTAL'],
  'dossier.read': ['CLERK', 'AGENCY_OFFICER', 'AGENCY_SYSTEM', 'SUPERVISOR'],
  // What the citizen was told, and where (masked): the desk answering the family and its supervisors.
  // An agency decides its step, it has no business with the citizen's contact.
  'dossier.readAnnouncements': ['CLERK', 'SUPERVISOR'],
  'dossier.withdraw': ['CLERK'],
  'dossier.supplement': ['CLERK'],
  // The citizen's scans: brought to the desk, or uploaded with the online filing (the portal reaches
  // only the dossiers it filed: api/routes/attachments.ts).
  'dossier.attach': ['CLERK', 'PORTAL'],
  'task.list': ['AGENCY_OFFICER', 'AGENCY_SYSTEM', 'SUPERVISOR'],
  'task.claim': ['AGENCY_OFFICER', 'AGENCY_SYSTEM'],
  'task.complete': ['AGENCY_OFFICER', 'AGENCY_SYSTEM'],
  'task.refuse': ['AGENCY_OFFICER', 'AGENCY_SYSTEM'],
  'task.requestSupplement': ['AGENCY_OFFICER', 'AGENCY_SYSTEM'],
  // Nghị định 63 Điều 7.2–7.3: the agency responsible for a late or unverified dossier answers for it.
  'task.apologise': ['AGENCY_OFFICER', 'AGENCY_SYSTEM'],
  'task.declareVerification': ['AGENCY_OFFICER', 'AGENCY_SYSTEM'],
  'supervision.read': ['SUPERVISOR'],
  'supervision.act': ['SUPERVISOR'],
  // A health facility's system sends notices; the family confirms them at the commune desk.
  'notice.submit': ['AGENCY_SYSTEM'],
  'notice.read': ['CLERK', 'SUPERVISOR'],
  'notice.confirm': ['CLERK'],
};

export function roleMayPerform(role: PrincipalRole, action: Action): boolean {
  return permissionMatrix[action].includes(role);
}

/** A dossier as authorization sees it: where it was filed and which agencies have steps in it. */
export interface DossierScope extends Place {
  agencies: readonly string[];
}

/** A task (one step of a dossier) as authorization sees it. */
export interface TaskScope extends Place {
  agency: string;
}

const rank: Record<JurisdictionScope['scope'], number> = { NATIONAL: 0, PROVINCE: 1, COMMUNE: 2 };

/** Whether `outer` includes all of `inner`: the nation holds every province, a province its communes. */
export function scopeContains(outer: JurisdictionScope, inner: JurisdictionScope): boolean {
  if (rank[outer.scope] > rank[inner.scope]) return false;
  if (outer.scope === 'NATIONAL') return true;
  if (inner.scope === 'NATIONAL' || inner.provinceCode !== outer.provinceCode) return false;
  return outer.scope === 'PROVINCE' || (inner.scope === 'COMMUNE' && inner.communeCode === outer.communeCode);
}

export function communeScope(place: Place): JurisdictionScope {
  return { scope: 'COMMUNE', provinceCode: place.provinceCode, communeCode: place.communeCode };
}

export function scopeCovers(scope: JurisdictionScope, place: Place): boolean {
  return scopeContains(scope, communeScope(place));
}

/** The same rule as a row filter: the places a scope covers, for any table keyed by province and commune. */
export function scopeFilter(scope: JurisdictionScope): { provinceCode?: string; communeCode?: string } {
  if (scope.scope === 'NATIONAL') return {};
  if (scope.scope === 'PROVINCE') return { provinceCode: scope.provinceCode };
  return { provinceCode: scope.provinceCode, communeCode: scope.communeCode };
}

const isAgency = (principal: Principal): boolean => principal.role === 'AGENCY_OFFICER' || principal.role === 'AGENCY_SYSTEM';

/**
 * Clerks see their own commune's dossiers, supervisors those in their scope, agencies those in their
 * jurisdiction that have a step of theirs (an agency has no business with a dossier it has no part in).
 */
export function canAccessDossier(principal: Principal, dossier: DossierScope): boolean {
  if (!scopeCovers(principal.jurisdiction, dossier)) return false;
  if (isAgency(principal)) return principal.agency !== null && dossier.agencies.includes(principal.agency);
  // The portal reaches a dossier only to file it: its one action in the matrix.
  return principal.role === 'CLERK' || principal.role === 'SUPERVISOR' || principal.role === 'PORTAL';
}

/**
 * Only the agency a task belongs to acts on it (claim, complete, refuse, ask for a supplement), and
 * only within its jurisdiction. A supervisor's hold over tasks is `canSupervise` on the task's place:
 * it may reassign or escalate a task but never decide it.
 */
export function canActOnTask(principal: Principal, task: TaskScope): boolean {
  return isAgency(principal) && principal.agency === task.agency && scopeCovers(principal.jurisdiction, task);
}

/** A supervisor supervises what lies within its own scope: a province supervisor not the nation. */
export function canSupervise(principal: Principal, scope: JurisdictionScope): boolean {
  return principal.role === 'SUPERVISOR' && scopeContains(principal.jurisdiction, scope);
}

/**
 * A notice is sent by a health facility for a place in its jurisdiction, and read and confirmed by the
 * desk of the commune it opened a draft in (read by supervisors of that place too).
 */
export function canHandleNotice(principal: Principal, action: NoticeAction, place: Place): boolean {
  if (!scopeCovers(principal.jurisdiction, place)) return false;
  if (action === 'notice.submit') return principal.agency === 'HOSPITAL' && principal.facilityCode !== undefined;
  return principal.role === 'CLERK' || (principal.role === 'SUPERVISOR' && action === 'notice.read');
}

export type AuthorizationRequest =
  | { action: DossierAction; dossier: DossierScope }
  | { action: TaskAction; task: TaskScope }
  | { action: SupervisionAction; scope: JurisdictionScope }
  | { action: NoticeAction; notice: Place };

/** Both questions at once: the role may do the action, and the principal reaches its target. */
export function authorize(principal: Principal, request: AuthorizationRequest): boolean {
  if (!roleMayPerform(principal.role, request.action)) return false;
  if ('dossier' in request) return canAccessDossier(principal, request.dossier);
  if ('task' in request) return canActOnTask(principal, request.task) || canSupervise(principal, communeScope(request.task));
  if ('notice' in request) return canHandleNotice(principal, request.action, request.notice);
  return canSupervise(principal, request.scope);
}

import { z } from 'zod';
import { communeCodeSchema, provinceCodeSchema } from './intake';
import { noticeIssuers, type NoticeIssuer } from './life-events';
import { agencyRoles, type AgencyRole } from './procedures';

/**
 * Who is calling the API, as the token says: a role, the agency it works for and the part of the
 * country it answers for. Pure data and schema; the rules about what a principal may do live in
 * domain/authorization.ts.
 *
 * Roles:
 * - CLERK: a person at a commune's one-stop desk (bộ phận một cửa of the commune People's Committee)
 *   who receives dossiers from citizens. The desk is the civil-status office's front counter, so a
 *   clerk's agency is always CIVIL_STATUS (implied when the token leaves it out) and its scope is
 *   always one commune.
 * - AGENCY_OFFICER: a person working an agency's tasks (civil-status officer, commune police, social
 *   security...). Bound to a commune or to a whole province (a provincial social-security office
 *   serves every commune of its province); never national: national oversight is a supervisor's.
 * - AGENCY_SYSTEM: an agency's software acting on its tasks (e.g. the National Population Database,
 *   which is one national system). Any scope, national included. A health facility's system
 *   (agency HOSPITAL, bound to its province) sends birth and death notices and has no tasks.
 * - SUPERVISOR: follows and unblocks dossiers across agencies (the People's Committee chair of a
 *   commune or province, or the national level). Works for no single agency, so it has none.
 * - PORTAL: the national public service portal / VNeID (the online channel, Nghị định 63/2024 Điều
 *   6–7), a system bound to the nation that files birth and death dossiers on behalf of a citizen
 *   whose identity it vouches for: the token's `citizen` claim (VNeID level 2), never the request body.
 */
export const principalRoles = ['CLERK', 'AGENCY_OFFICER', 'AGENCY_SYSTEM', 'SUPERVISOR', 'PORTAL'] as const;
export type PrincipalRole = (typeof principalRoles)[number];

/**
 * Where a principal's authority holds. Two tiers since 1 July 2025 (province, commune), plus the
 * national level. Spelled out as a `scope` rather than read from which codes happen to be present, so
 * a token that lost its commune code cannot silently widen to a province.
 */
export const jurisdictionScopes = ['NATIONAL', 'PROVINCE', 'COMMUNE'] as const;
export type JurisdictionScopeKind = (typeof jurisdictionScopes)[number];

export type JurisdictionScope =
  | { scope: 'NATIONAL' }
  | { scope: 'PROVINCE'; provinceCode: string }
  | { scope: 'COMMUNE'; provinceCode: string; communeCode: string };

export interface Principal {
  role: PrincipalRole;
  /** User ID or system ID; never a name or personal ID number. */
  subject: string;
  /** Required for officers and systems, CIVIL_STATUS for clerks, null for supervisors. */
  agency: AgencyRole | NoticeIssuer | null;
  jurisdiction: JurisdictionScope;
  /** A health facility's system only: the facility whose notices it sends (its 5-digit code). */
  facilityCode?: string;
  /** The portal only: the citizen it acts for, as VNeID identified them (personal data: never logged). */
  citizen?: VouchedCitizen;
}

/**
 * The citizen on whose behalf the portal files, from the token's `citizen` claim: the portal obtains a
 * token per submission (token exchange from its client credentials and the citizen's VNeID login), so
 * the identity is signed by the identity provider. `level` is VNeID's assurance level; filing needs 2.
 */
export interface VouchedCitizen {
  personalIdNumber: string;
  fullName: string;
  level: 1 | 2;
}

export const vouchedCitizenSchema = z
  .object({
    personalIdNumber: z.string().regex(/^\d{12}$/, 'expected a 12-digit personal ID number'),
    fullName: z.string().min(1).max(100),
    level: z.union([z.literal(1), z.literal(2)]),
  })
  .strict();

/** A place a dossier or task belongs to: always one commune of one province. */
export interface Place {
  provinceCode: string;
  communeCode: string;
}

export const jurisdictionScopeSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('NATIONAL') }).strict(),
  z.object({ scope: z.literal('PROVINCE'), provinceCode: provinceCodeSchema }).strict(),
  z.object({ scope: z.literal('COMMUNE'), provinceCode: provinceCodeSchema, communeCode: communeCodeSchema }).strict(),
]);

/** Which scopes and agencies each role may hold; the schema below enforces it for every token. */
const roleShape: Record<PrincipalRole, { scopes: readonly JurisdictionScopeKind[]; agency: 'required' | 'civil-status' | 'none' }> = {
  CLERK: { scopes: ['COMMUNE'], agency: 'civil-status' },
  AGENCY_OFFICER: { scopes: ['COMMUNE', 'PROVINCE'], agency: 'required' },
  AGENCY_SYSTEM: { scopes: ['COMMUNE', 'PROVINCE', 'NATIONAL'], agency: 'required' },
  SUPERVISOR: { scopes: ['COMMUNE', 'PROVINCE', 'NATIONAL'], agency: 'none' },
  PORTAL: { scopes: ['NATIONAL'], agency: 'none' },
};

/** Subjects are opaque IDs: letters, digits and a few separators, so they are safe to log. */
export const subjectSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'expected an ID of letters, digits, dots, dashes, colons, @ or underscores');

/**
 * A principal as it travels: `sub` is the JWT subject claim, the rest are this API's own claims.
 * Parsing yields a Principal with the clerk's implied agency filled in.
 */
export const principalClaimsSchema = z
  .object({
    sub: subjectSchema,
    role: z.enum(principalRoles),
    agency: z.enum([...agencyRoles, ...noticeIssuers]).optional(),
    jurisdiction: jurisdictionScopeSchema,
    facility: z.string().regex(/^\d{5}$/, 'expected a 5-digit health facility code').optional(),
    citizen: vouchedCitizenSchema.optional(),
  })
  .superRefine((claims, ctx) => {
    const shape = roleShape[claims.role];
    if (!shape.scopes.includes(claims.jurisdiction.scope)) {
      ctx.addIssue({ code: 'custom', path: ['jurisdiction', 'scope'], message: `role ${claims.role} holds a ${shape.scopes.join(' or ')} scope` });
    }
    if (shape.agency === 'required' && claims.agency === undefined) {
      ctx.addIssue({ code: 'custom', path: ['agency'], message: `role ${claims.role} works for an agency` });
    }
    if (shape.agency === 'civil-status' && claims.agency !== undefined && claims.agency !== 'CIVIL_STATUS') {
      ctx.addIssue({ code: 'custom', path: ['agency'], message: 'role CLERK sits at the civil-status one-stop desk' });
    }
    // A facility's notices are its own: the token names the facility, the notice cannot choose it.
    if ((claims.agency === 'HOSPITAL') !== (claims.facility !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['facility'], message: 'a health facility system names its facility, and only it does' });
    }
    if (claims.citizen !== undefined && claims.role !== 'PORTAL') {
      ctx.addIssue({ code: 'custom', path: ['citizen'], message: 'only the portal vouches for a citizen' });
    }
    if (shape.agency === 'none' && claims.agency !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['agency'], message: `role ${claims.role} works for no single agency` });
    }
  })
  .transform(
    (claims): Principal => ({
      role: claims.role,
      subject: claims.sub,
      agency: claims.role === 'CLERK' ? 'CIVIL_STATUS' : (claims.agency ?? null),
      jurisdiction: claims.jurisdiction,
      ...(claims.facility ? { facilityCode: claims.facility } : {}),
      ...(claims.citizen ? { citizen: claims.citizen } : {}),
    }),
  );

export type PrincipalClaims = z.input<typeof principalClaimsSchema>;

/** The claims to put in a token for a principal; parsing them back gives the same principal. */
export function principalClaims(principal: Principal): PrincipalClaims {
  return {
    sub: principal.subject,
    role: principal.role,
    ...(principal.agency !== null ? { agency: principal.agency } : {}),
    jurisdiction: principal.jurisdiction,
    ...(principal.facilityCode ? { facility: principal.facilityCode } : {}),
    ...(principal.citizen ? { citizen: principal.citizen } : {}),
  };
}

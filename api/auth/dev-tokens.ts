import type { Principal } from '../../domain/principal';
import { DEVELOPMENT_JWT_SECRET, type Config } from '../../runtime/config';
import { signToken, type TokenSettings } from './tokens';

/**
 * One principal of each kind, for trying the API by hand and for end-to-end tests. Most sit in Hồ Chí
 * Minh City (province 79, commune 26743, where the test intakes are filed); one officer sits in Hà Nội
 * (01/00004) to show what a neighbouring jurisdiction cannot see.
 */
export const devPrincipals = {
  clerk: { role: 'CLERK', subject: 'dev-clerk-79-26743', agency: 'CIVIL_STATUS', jurisdiction: commune('79', '26743') },
  civilStatusOfficer: { role: 'AGENCY_OFFICER', subject: 'dev-civil-status-79-26743', agency: 'CIVIL_STATUS', jurisdiction: commune('79', '26743') },
  // The National Population Database is one national system (C06), so it answers for every province.
  populationDatabaseSystem: { role: 'AGENCY_SYSTEM', subject: 'dev-population-database', agency: 'POPULATION_DATABASE', jurisdiction: { scope: 'NATIONAL' } },
  policeOfficer: { role: 'AGENCY_OFFICER', subject: 'dev-police-79-26743', agency: 'COMMUNE_POLICE', jurisdiction: commune('79', '26743') },
  // Social security is organised by province: one office serves all the province's communes.
  socialSecurityOfficer: { role: 'AGENCY_OFFICER', subject: 'dev-social-security-79', agency: 'SOCIAL_SECURITY', jurisdiction: { scope: 'PROVINCE', provinceCode: '79' } },
  provinceSupervisor: { role: 'SUPERVISOR', subject: 'dev-supervisor-79', agency: null, jurisdiction: { scope: 'PROVINCE', provinceCode: '79' } },
  nationalSupervisor: { role: 'SUPERVISOR', subject: 'dev-supervisor-national', agency: null, jurisdiction: { scope: 'NATIONAL' } },
  otherProvinceOfficer: { role: 'AGENCY_OFFICER', subject: 'dev-civil-status-01-00004', agency: 'CIVIL_STATUS', jurisdiction: commune('01', '00004') },
  // A hospital's system of Hồ Chí Minh City (facility 79024), sending its birth and death notices for the province.
  hospital: { role: 'AGENCY_SYSTEM', subject: 'dev-hospital-79024', agency: 'HOSPITAL', jurisdiction: { scope: 'PROVINCE', provinceCode: '79' }, facilityCode: '79024' },
  // The national public service portal filing for the mother of the test intakes, identified by VNeID at level 2.
  portal: { role: 'PORTAL', subject: 'dev-portal', agency: null, jurisdiction: { scope: 'NATIONAL' }, citizen: { personalIdNumber: '079195001234', fullName: 'Trần Thị Bích', level: 2 } },
} as const satisfies Record<string, Principal>;

export type DevPrincipalName = keyof typeof devPrincipals;

function commune(provinceCode: string, communeCode: string) {
  return { scope: 'COMMUNE', provinceCode, communeCode } as const;
}

/**
 * Whether the development identities may be handed out: in development mode, and only while the
 * public development secret signs the tokens. These identities are public (a national supervisor
 * among them), so tokens for them signed with a private secret would open that API to anyone.
 */
export function developmentTokensAllowed(config: Pick<TokenSettings, 'AUTH_JWT_SECRET'> & Pick<Config, 'LIEN_THONG_DEV_MODE'>): boolean {
  return config.LIEN_THONG_DEV_MODE && config.AUTH_JWT_SECRET === DEVELOPMENT_JWT_SECRET;
}

/** A signed token for each dev principal; refused unless developmentTokensAllowed. */
export async function devTokens(config: TokenSettings & Pick<Config, 'LIEN_THONG_DEV_MODE'>): Promise<Record<DevPrincipalName, string>> {
  if (!config.LIEN_THONG_DEV_MODE) throw new Error('development tokens are issued only in development mode (LIEN_THONG_DEV_MODE=true)');
  if (!developmentTokensAllowed(config)) throw new Error('development tokens are issued only under the development secret (AUTH_JWT_SECRET unset): `npm run token` issues tokens under a private one');
  const names = Object.keys(devPrincipals) as DevPrincipalName[];
  const entries = await Promise.all(names.map(async (name) => [name, await signToken(config, devPrincipals[name])] as const));
  return Object.fromEntries(entries) as Record<DevPrincipalName, string>;
}

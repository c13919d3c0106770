import { signToken } from '../../api/auth/tokens';
import type { Principal, VouchedCitizen } from '../../domain/principal';
import type { PortalStatus } from '../../simulator/portal';
import { getJson, postJson, type Stack } from './stack';

/** The citizen of the test intakes (their mother), as VNeID identified her. */
export const mother: VouchedCitizen = { personalIdNumber: '079195001234', fullName: 'Trần Thị Bích', level: 2 };

export const portalPrincipal = (citizen?: VouchedCitizen): Principal => ({
  role: 'PORTAL',
  subject: 'dvc-quoc-gia',
  agency: null,
  jurisdiction: { scope: 'NATIONAL' },
  ...(citizen ? { citizen } : {}),
});
export const portalToken = (stack: Stack, citizen?: VouchedCitizen) => signToken(stack.config as never, portalPrincipal(citizen));

/** An intake filed by the portal for `citizen` (the mother by default; null: a token naming no one). */
export const submitOnline = async (stack: Stack, intake: unknown, citizen: VouchedCitizen | null = mother) =>
  postJson(`${stack.apiUrl}/v1/portal/dossiers`, intake, await portalToken(stack, citizen ?? undefined));

/** What the simulator's portal received. */
export async function portalReceived(stack: Stack): Promise<{ statuses: PortalStatus[]; outOfOrder: string[] }> {
  return (await getJson(`${stack.simulatorUrl}/_control/portal`)).body;
}
export const portalStatusesOf = async (stack: Stack, code: string) =>
  (await portalReceived(stack)).statuses.filter((s) => s.portalCode === code).sort((a, b) => a.sequence - b.sequence);

/** Sets the simulated portal's faults (down, or refusing with a 4xx). */
export async function setPortal(stack: Stack, faults: { outage?: boolean; refuseWith?: number | null }): Promise<void> {
  const response = await fetch(`${stack.simulatorUrl}/_control/portal`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (response.status !== 200) throw new Error(`simulator refused portal faults: ${response.status}`);
}

/** The outbox rows of a portal dossier, in sequence order. */
export const portalOutboxOf = (stack: Stack, code: string) =>
  stack.db.$queryRaw<{ sequence: number; event: string; attempts: number; outcome: string | null; lastError: string | null }[]>`
    SELECT o.sequence, o.event, o.attempts, o.outcome, o.last_error AS "lastError" FROM portal_status_outbox o JOIN dossier d ON d.id = o.dossier_id
    WHERE d.dossier_number = ${code} ORDER BY o.sequence`;

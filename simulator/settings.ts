import { z } from 'zod';
import { notificationGatewayPath } from './notification-gateway';
import { portalPath } from './portal';
import type { PortalSubmitterSettings } from './portal-submitter';

/**
 * The settings that point a system at the simulator listening at `url`: it plays the agencies and the
 * citizens' notification gateway, and the national public service portal. For the stacks the tests, the chaos runs and the benchmarks start.
 */
export function simulatorSettings(url: string): { AGENCY_BASE_URL: string; NOTIFICATION_GATEWAY_URL: string; PORTAL_URL: string } {
  return { AGENCY_BASE_URL: url, NOTIFICATION_GATEWAY_URL: `${url}${notificationGatewayPath}`, PORTAL_URL: `${url}${portalPath}` };
}

/** The simulated portal's filing end, from the simulator's environment. */
const portalSubmitterEnvSchema = z.object({
  /** The API the simulated portal files with (`npm start`: its own). Unset: it files nothing. */
  SIMULATOR_API_URL: z.url().optional(),
  /** A portal token with a `citizen` claim (`npm start`: the printed `portal` one). Unset: it files nothing. */
  SIMULATOR_PORTAL_TOKEN: z.string().min(1).optional(),
  /** Seconds between two birth dossiers filed; 0: none on a timer. */
  SIMULATOR_PORTAL_SUBMIT_EVERY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(180),
});

export function portalSubmitterSettings(env: NodeJS.ProcessEnv = process.env): Partial<PortalSubmitterSettings> {
  const parsed = portalSubmitterEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid simulator configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { SIMULATOR_API_URL: apiUrl, SIMULATOR_PORTAL_TOKEN: token, SIMULATOR_PORTAL_SUBMIT_EVERY_SECONDS: intervalSeconds } = parsed.data;
  return apiUrl && token ? { apiUrl, token, intervalSeconds } : {};
}

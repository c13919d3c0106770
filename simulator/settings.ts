import { notificationGatewayPath } from './notification-gateway';
import { portalPath } from './portal';

/**
 * The settings that point a system at the simulator listening at `url`: it plays the agencies and the
 * citizens' notification gateway, and the national public service portal. For the stacks the tests, the chaos runs and the benchmarks start.
 */
export function simulatorSettings(url: string): { AGENCY_BASE_URL: string; NOTIFICATION_GATEWAY_URL: string; PORTAL_URL: string } {
  return { AGENCY_BASE_URL: url, NOTIFICATION_GATEWAY_URL: `${url}${notificationGatewayPath}`, PORTAL_URL: `${url}${portalPath}` };
}

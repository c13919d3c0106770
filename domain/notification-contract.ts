import { z } from 'zod';
import { notificationChannels } from './intake/common';

/**
 * What the notification gateway (VNeID, SMS and email gateways in production; the simulator in
 * development) receives: one POST per message to NOTIFICATION_GATEWAY_URL, with an `Idempotency-Key`
 * naming the announcement, so a message sent again after a crash is recognised and not delivered
 * twice. A 2xx answer means the gateway has it; 408, 409, 429 and 5xx are retried; any other 4xx is a
 * refusal (a malformed address), not retried.
 */
export const notificationMessageSchema = z.object({
  channel: z.enum(notificationChannels),
  /** Phone number (SMS), email address (EMAIL) or the VNeID account's personal ID number (VNEID). */
  to: z.string().min(1).max(254),
  title: z.string().min(1).max(200),
  text: z.string().min(1).max(1000),
});
export type NotificationMessage = z.infer<typeof notificationMessageSchema>;

/** Answers worth sending again: the gateway is busy, down, or still handling the same key. */
export function retryableGatewayStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 409 || status === 429;
}

/**
 * An address as staff may see it: enough to recognise it with the citizen (the end of a phone number or
 * an ID number, an email's first letter and domain), never in full on a screen or in a response.
 */
export function maskedAddress(channel: NotificationMessage['channel'], address: string): string {
  if (channel === 'EMAIL') {
    const at = address.lastIndexOf('@');
    return at > 0 ? `${address[0]}•••${address.slice(at)}` : '•••';
  }
  return `••••${address.slice(-4)}`;
}

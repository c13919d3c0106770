import { idempotencyHeader } from '../domain/agency-contract';
import { retryableGatewayStatus, type NotificationMessage } from '../domain/notification-contract';

/** The notification gateway as the relay sees it. Tests may inject fakes; production posts over HTTP. */
export interface NotificationGateway {
  send(message: NotificationMessage, idempotencyKey: string): Promise<void>;
}

/** The gateway did not take the message; `permanent` when sending it again cannot help. */
export class NotificationNotSent extends Error {
  override name = 'NotificationNotSent';
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export function createHttpNotificationGateway(options: { url: string; timeoutMs: number }): NotificationGateway {
  return {
    async send(message, idempotencyKey) {
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [idempotencyHeader]: idempotencyKey },
          body: JSON.stringify(message),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        // Our own words only: a transport error may quote the request.
        throw new NotificationNotSent(`gateway unreachable (${(error as Error).name})`, false);
      }
      await response.body?.cancel();
      if (!response.ok) throw new NotificationNotSent(`gateway answered HTTP ${response.status}`, !retryableGatewayStatus(response.status));
    },
  };
}

import type { ReceivedMessage } from '../../simulator/notification-gateway';

/** What the simulator's notification gateway has taken (each Idempotency-Key once, with its call count). */
export async function gatewayMessages(simulatorUrl: string, dossierNumber?: string): Promise<ReceivedMessage[]> {
  const { messages } = (await (await fetch(`${simulatorUrl}/_control/notifications`)).json()) as { messages: ReceivedMessage[] };
  return dossierNumber ? messages.filter((m) => m.text.includes(dossierNumber)) : messages;
}

export async function setGatewayFaults(simulatorUrl: string, faults: { outage?: boolean; latencyMs?: number }): Promise<void> {
  const response = await fetch(`${simulatorUrl}/_control/notifications`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (!response.ok) throw new Error(`simulator refused gateway faults: ${response.status}`);
}

import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { Database, Prisma } from '../runtime/database';
import { asDelivery, deliverMessages, type DeliveryOptions, type MessageOutbox, type RelayDependencies } from './message-outbox';
import { withinTemporalDeadline } from './temporal-calls';

/** A signal to a dossier's workflow, to be recorded now and delivered after the answer. */
export interface RecordedSignal<Arg> {
  workflowId: string;
  signal: SignalDefinition<[Arg]>;
  arg: Arg;
  /** The request's idempotency key with the item it names: recorded once however often the request comes. */
  messageKey?: string | undefined;
}

/** Records signals in the caller's transaction, beside the decision they carry out. */
export async function recordSignals<Arg>(tx: Pick<Database | Prisma.TransactionClient, 'workflowSignalOutbox'>, signals: RecordedSignal<Arg>[]): Promise<number> {
  const { count } = await tx.workflowSignalOutbox.createMany({
    skipDuplicates: true,
    data: signals.map(({ workflowId, signal, arg, messageKey }) => ({
      workflowId,
      signal: signal.name,
      payload: arg as Prisma.InputJsonValue,
      messageKey: messageKey ?? null,
    })),
  });
  return count;
}

interface SignalRow {
  id: bigint;
  workflowId: string;
  signal: string;
  payload: unknown;
}

/**
 * Bulk decisions' signals on their way to the workflows, delivered by the message relay (at least
 * once: the workflow drops a repeat or a decision made meanwhile).
 */
export function signalOutbox(temporal: Client): MessageOutbox<SignalRow> {
  return {
    table: 'workflow_signal_outbox',
    idType: 'bigint',
    outcomeColumn: 'outcome',
    columns: 'id, workflow_id AS "workflowId", signal, payload',
    orderBy: 'next_attempt_at, id',
    send: (row) => asDelivery(() => withinTemporalDeadline(temporal, () => temporal.workflow.getHandle(row.workflowId).signal(row.signal, row.payload))),
  };
}

/** Delivers the recorded signals now (what the relay does every second). Returns how many rows it closed. */
export function deliverRecordedSignals(deps: RelayDependencies, options: DeliveryOptions): Promise<number> {
  return deliverMessages(deps, signalOutbox(deps.temporal), options);
}

import type { z } from 'zod';
import { agencyAnswerSchema, idempotencyHeader, supplementRequiredCode, undoResultSchema, type UndoRequest, type UndoResult } from '../domain/agency-contract';

/** The agencies as the activities see them. Tests inject fakes; production uses the HTTP gateway. */
export interface AgencyGateway {
  perform<T>(path: string, body: unknown, schema: z.ZodType<T>, idempotencyKey: string): Promise<T>;
  undo(path: string, request: UndoRequest, idempotencyKey: string): Promise<UndoResult>;
}

/** The agency examined the request and refused it: a business outcome, never retried. */
export class AgencyRefusal extends Error {
  override name = 'AgencyRefusal';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The agency needs more documents from the citizen before it can decide. */
export class AgencySupplementRequest extends Error {
  override name = 'AgencySupplementRequest';
}

/** The agency's system is down, slow or erroring: worth retrying. */
export class AgencyUnavailable extends Error {
  override name = 'AgencyUnavailable';
}

/** The agency answered something no retry can fix (bad request, unexpected body). */
export class AgencyContractError extends Error {
  override name = 'AgencyContractError';
}

export function createHttpAgencyGateway(options: { baseUrl: string; timeoutMs: number }): AgencyGateway {
  async function call<T>(path: string, body: unknown, idempotencyKey: string, schema: z.ZodType<T>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(path, options.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [idempotencyHeader]: idempotencyKey },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new AgencyUnavailable(`${path}: ${(error as Error).message}`);
    }
    const payload: unknown = await response.json().catch(() => undefined);
    if (response.status === 422) {
      const answer = agencyAnswerSchema.safeParse(payload);
      if (!answer.success) throw new AgencyContractError(`${path}: 422 without code`);
      if (answer.data.code === supplementRequiredCode) throw new AgencySupplementRequest(answer.data.message);
      throw new AgencyRefusal(answer.data.code, answer.data.message);
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new AgencyUnavailable(`${path}: HTTP ${response.status}`);
    }
    if (!response.ok) throw new AgencyContractError(`${path}: HTTP ${response.status}`);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new AgencyContractError(`${path}: unexpected answer (${parsed.error.issues[0]?.message})`);
    return parsed.data;
  }

  return {
    perform: (path, body, schema, key) => call(path, body, key, schema),
    undo: (path, request, key) => call(path, request, key, undoResultSchema),
  };
}

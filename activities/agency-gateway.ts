import type { z } from 'zod';
import {
  agencyPaths,
  birthRegistrationResultSchema,
  childHealthInsuranceResultSchema,
  idempotencyHeader,
  permanentResidenceResultSchema,
  personalIdResultSchema,
  refusalSchema,
  type BirthRegistrationRequest,
  type BirthRegistrationResult,
  type ChildHealthInsuranceRequest,
  type ChildHealthInsuranceResult,
  type PermanentResidenceRequest,
  type PermanentResidenceResult,
  type PersonalIdRequest,
  type PersonalIdResult,
} from '../domain/agency-contract';

/** The agencies as the activities see them. Tests inject fakes; production uses the HTTP gateway. */
export interface AgencyGateway {
  registerBirth(request: BirthRegistrationRequest, idempotencyKey: string): Promise<BirthRegistrationResult>;
  issuePersonalId(request: PersonalIdRequest, idempotencyKey: string): Promise<PersonalIdResult>;
  registerPermanentResidence(request: PermanentResidenceRequest, idempotencyKey: string): Promise<PermanentResidenceResult>;
  issueChildHealthInsuranceCard(request: ChildHealthInsuranceRequest, idempotencyKey: string): Promise<ChildHealthInsuranceResult>;
}

/** The agency examined the request and refused it: a business outcome, never retried. */
export class AgencyRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AgencyRefusal';
  }
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
      const refusal = refusalSchema.safeParse(payload);
      if (!refusal.success) throw new AgencyContractError(`${path}: refusal without code`);
      throw new AgencyRefusal(refusal.data.code, refusal.data.message);
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
    registerBirth: (req, key) => call(agencyPaths.birthRegistration, req, key, birthRegistrationResultSchema),
    issuePersonalId: (req, key) => call(agencyPaths.personalId, req, key, personalIdResultSchema),
    registerPermanentResidence: (req, key) => call(agencyPaths.permanentResidence, req, key, permanentResidenceResultSchema),
    issueChildHealthInsuranceCard: (req, key) =>
      call(agencyPaths.childHealthInsurance, req, key, childHealthInsuranceResultSchema),
  };
}

import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import type { BirthIntake } from '../domain/intake';
import { vietnamDate } from '../domain/intake';

/** The citizen a portal token vouches for (its `citizen` claim), as far as the sample intake needs it. */
const citizenClaimSchema = z.object({ personalIdNumber: z.string().regex(/^\d{12}$/), fullName: z.string().min(1) });
export type PortalCitizen = z.infer<typeof citizenClaimSchema>;

export const portalSubmitterSettingsSchema = z.object({
  /** The API the portal files with (its base URL, without /v1). */
  apiUrl: z.url().nullable().default(null),
  /** A portal token (role PORTAL) whose `citizen` claim the submissions file for. */
  token: z.string().min(1).nullable().default(null),
  /** Seconds between two submissions; 0: none on a timer (POST /_control/portal/submissions still files one). */
  intervalSeconds: z.number().int().min(0).max(86_400).default(0),
  /** The commune that receives them: the development clerk's by default. */
  provinceCode: z.string().regex(/^\d{2}$/).default('79'),
  communeCode: z.string().regex(/^\d{5}$/).default('26743'),
});
export type PortalSubmitterSettings = z.infer<typeof portalSubmitterSettingsSchema>;

/** One dossier the simulated portal filed: its code, every answer of the API, and the statuses it got back. */
export interface PortalSubmission {
  portalCode: string;
  createdAt: string;
  answers: { at: string; status: number | null; dossierId?: string; error?: string }[];
}

/** The citizen named in a token's payload (read, not verified: the API verifies it). */
export function citizenOfToken(token: string): PortalCitizen | undefined {
  try {
    const parsed = citizenClaimSchema.safeParse(decodeJwt(token).citizen);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A birth dossier as the portal files it for `citizen`: the requester is that citizen, the mother or
 * the father by the sex digit of the personal ID number (odd: a woman), living in the receiving commune,
 * for a child born five days ago, with every optional procedure.
 */
export function samplePortalBirthIntake(citizen: PortalCitizen, portalCode: string, place: { provinceCode: string; communeCode: string }, now = new Date()): BirthIntake {
  const born = vietnamDate(new Date(now.getTime() - 5 * 86_400_000));
  const isMother = Number(citizen.personalIdNumber[3]) % 2 === 1;
  const residence = { line: '45 Lê Lợi', communeCode: place.communeCode, provinceCode: place.provinceCode };
  const parent = { fullName: citizen.fullName, personalIdNumber: citizen.personalIdNumber, ethnicity: 'Kinh', nationality: 'Việt Nam', residence };
  return {
    group: 'BIRTH',
    dossierNumber: portalCode,
    jurisdiction: { provinceCode: place.provinceCode, communeCode: place.communeCode },
    procedures: { permanentResidence: true, healthInsurance: true },
    child: { fullName: 'Nguyễn Gia Hân', sex: 'FEMALE', dateOfBirth: born, placeOfBirth: 'Bệnh viện Từ Dũ', ethnicity: 'Kinh', nationality: 'Việt Nam', homeTown: 'Thành phố Hồ Chí Minh' },
    ...(isMother ? { mother: parent } : { father: parent }),
    requester: { fullName: citizen.fullName, personalIdNumber: citizen.personalIdNumber, relationship: isMother ? 'MOTHER' : 'FATHER' },
    birthCertificate: { number: `CS-${portalCode.slice(-12)}`, issuedBy: 'Bệnh viện Từ Dũ', issuedOn: born },
    residence: { ...residence, headOfHouseholdConsent: true },
    healthInsurance: { initialFacilityCode: '79024' },
  };
}

/** An answer worth sending the same dossier again for: none at all, or the API unavailable. */
const unanswered = (status: number | null) => status === null || status >= 500 || status === 408 || status === 429;

/**
 * Plays the portal's filing end: on a timer (intervalSeconds) or on demand, files a birth dossier under
 * a new portal code through POST /v1/portal/dossiers with the configured token. A dossier the API did
 * not answer is sent again, same code and content, before the next new one: the API answers it as the
 * first time. Settings come from the simulator's environment (simulator/settings.ts) and
 * PUT /_control/portal/submissions; the submissions, with the status messages the portal received for
 * each (`statusesOf`), are listed at GET /_control/portal/submissions. Logs codes and statuses only.
 */
export function registerPortalSubmitter(app: FastifyInstance, statusesOf: (portalCode: string) => unknown[], initial: Partial<PortalSubmitterSettings> = {}): void {
  let settings = portalSubmitterSettingsSchema.parse(initial);
  const submissions = new Map<string, { record: PortalSubmission; intake: BirthIntake }>();
  let counter = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  const configured = (): { apiUrl: string; token: string; citizen: PortalCitizen } | string => {
    if (!settings.apiUrl || !settings.token) return 'apiUrl and token are required to file';
    const citizen = citizenOfToken(settings.token);
    return citizen ? { apiUrl: settings.apiUrl, token: settings.token, citizen } : "the token's payload names no citizen (claim `citizen`)";
  };

  async function send(entry: { record: PortalSubmission; intake: BirthIntake }, target: { apiUrl: string; token: string }): Promise<PortalSubmission> {
    const at = new Date().toISOString();
    try {
      const response = await fetch(new URL('/v1/portal/dossiers', target.apiUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
        body: JSON.stringify(entry.intake),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json().catch(() => ({}))) as { dossierId?: string };
      entry.record.answers.push({ at, status: response.status, ...(body.dossierId ? { dossierId: body.dossierId } : {}) });
      app.log.info({ portalCode: entry.record.portalCode, status: response.status }, 'simulated portal filed a dossier');
    } catch (error) {
      // The connection's error code (ECONNREFUSED…) or the error's kind: never the request.
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      entry.record.answers.push({ at, status: null, error: reason });
      app.log.warn({ portalCode: entry.record.portalCode, err: reason }, 'simulated portal got no answer; it will send the same dossier again');
    }
    return entry.record;
  }

  const waiting = () => [...submissions.values()].filter((entry) => unanswered(entry.record.answers.at(-1)?.status ?? null));

  /**
   * Sends again what the API did not answer, then files a new dossier; on the timer, none while the
   * API still does not answer, so an outage does not pile up dossiers. One run at a time.
   */
  function fileOne(onTimer: boolean): Promise<PortalSubmission | string> {
    const run = running.then(async () => {
      const target = configured();
      if (typeof target === 'string') return target;
      for (const entry of waiting()) await send(entry, target);
      if (onTimer && waiting().length > 0) return 'the API does not answer: the same dossiers are sent again next time';
      counter += 1;
      const portalCode = `H${settings.provinceCode}.${settings.communeCode}-DVC-${Date.now().toString(36).toUpperCase()}-${counter}`;
      const entry = { record: { portalCode, createdAt: new Date().toISOString(), answers: [] }, intake: samplePortalBirthIntake(target.citizen, portalCode, { provinceCode: settings.provinceCode, communeCode: settings.communeCode }) };
      submissions.set(portalCode, entry);
      return send(entry, target);
    });
    running = run.catch(() => undefined);
    return run;
  }

  const schedule = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (settings.intervalSeconds > 0) {
      timer = setInterval(() => void fileOne(true).then((result) => typeof result === 'string' && app.log.warn({ reason: result }, 'simulated portal files nothing')), settings.intervalSeconds * 1000);
      timer.unref();
    }
  };
  schedule();
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });

  const view = (record: PortalSubmission) => ({ ...record, statuses: statusesOf(record.portalCode) });
  app.get('/_control/portal/submissions', async () => ({
    settings: { ...settings, token: settings.token !== null },
    submissions: [...submissions.values()].map((s) => view(s.record)),
  }));
  app.put('/_control/portal/submissions', async (request, reply) => {
    const changes = portalSubmitterSettingsSchema.partial().safeParse(request.body);
    if (!changes.success) return reply.code(400).send({ code: 'BAD_REQUEST', message: changes.error.issues[0]?.message });
    // Only the settings the body names: the partial schema still fills the others' defaults in.
    const named = Object.entries(changes.data).filter(([key]) => Object.hasOwn(request.body as object, key));
    settings = portalSubmitterSettingsSchema.parse({ ...settings, ...Object.fromEntries(named) });
    schedule();
    return { ...settings, token: settings.token !== null };
  });
  app.post('/_control/portal/submissions', async (_request, reply) => {
    const result = await fileOne(false);
    if (typeof result === 'string') return reply.code(409).send({ code: 'NOT_CONFIGURED', message: result });
    return reply.code(201).send(view(result));
  });
  app.post('/_control/portal/submissions/:portalCode/resend', async (request, reply) => {
    const entry = submissions.get((request.params as { portalCode: string }).portalCode);
    const target = configured();
    if (!entry) return reply.code(404).send({ code: 'NOT_FOUND', message: 'no submission with that portal code' });
    if (typeof target === 'string') return reply.code(409).send({ code: 'NOT_CONFIGURED', message: target });
    return view(await send(entry, target));
  });
}

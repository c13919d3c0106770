import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dossierNumberSchema, intakeSchema } from '../../domain/intake';
import { ProblemError } from '../problem';
import { submitIntake, type IntakeDependencies } from '../dossier-intake';
import { dossierStatusSchema, readDossierStatus } from '../dossier-status';

export type DossierRouteDependencies = IntakeDependencies & { temporalUiUrl?: string };

const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
});

const receiptSchema = z.object({
  dossierId: z.uuid(),
  dossierNumber: z.string(),
  workflowId: z.string(),
  statusUrl: z.string(),
});

export function dossierRoutes(deps: DossierRouteDependencies): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/dossiers',
      {
        schema: {
          tags: ['dossiers'],
          summary: 'Submit a procedure group dossier (idempotent on the dossier number)',
          body: intakeSchema,
          response: { 200: receiptSchema, 201: receiptSchema, 400: problemSchema, 409: problemSchema, 503: problemSchema },
        },
      },
      async (request, reply) => {
        const receipt = await submitIntake(deps, request.body);
        const statusUrl = `/v1/dossiers/${encodeURIComponent(receipt.dossierNumber)}`;
        return reply
          .code(receipt.created ? 201 : 200)
          .header('location', statusUrl)
          .send({ dossierId: receipt.dossierId, dossierNumber: receipt.dossierNumber, workflowId: receipt.workflowId, statusUrl });
      },
    );

    app.get(
      '/dossiers/:dossierNumber',
      {
        schema: {
          tags: ['dossiers'],
          summary: "A dossier's status: every step's state, result and timestamps",
          params: z.object({ dossierNumber: dossierNumberSchema }),
          response: { 200: dossierStatusSchema, 404: problemSchema },
        },
      },
      async (request) => {
        const status = await readDossierStatus(deps.db, request.params.dossierNumber, deps.temporalUiUrl);
        if (!status) throw new ProblemError(404, 'Dossier not found', `no dossier ${request.params.dossierNumber}`);
        return status;
      },
    );
  };
}

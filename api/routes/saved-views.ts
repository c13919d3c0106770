import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../runtime/database';
import { isUniqueViolation } from '../../runtime/database-errors';
import { principalOf } from '../auth/plugin';
import { problemResponses, ProblemError } from '../problem';
import { idParams, security } from '../schemas';

/**
 * Named list filters kept on the server per user, so a supervisor's "police late in 79" view follows
 * them to any desk. A view is only a query string: opening it still goes through the list's own
 * authorization, so sharing one never shares data.
 */
const lists = ['supervision-dossiers', 'dossiers', 'tasks'] as const;
const savedViewSchema = z.object({ id: z.uuid(), list: z.enum(lists), name: z.string(), query: z.string(), createdAt: z.iso.datetime() });
export type SavedView = z.infer<typeof savedViewSchema>;
/** At most this many per user: views are shortcuts, not storage. */
const maxViewsPerUser = 50;

export function savedViewRoutes(deps: { db: Database }): FastifyPluginAsyncZod {
  return async (app) => {
    const view = (v: { id: string; list: string; name: string; query: string; createdAt: Date }): SavedView => ({
      id: v.id,
      list: v.list as SavedView['list'],
      name: v.name,
      query: v.query,
      createdAt: v.createdAt.toISOString(),
    });

    app.get(
      '/me/saved-views',
      { schema: { tags: ['session'], summary: 'My saved list views', security, querystring: z.object({ list: z.enum(lists).optional() }), response: { 200: z.object({ views: z.array(savedViewSchema) }) } } },
      async (request) => {
        const rows = await deps.db.savedView.findMany({
          where: { ownerSubject: principalOf(request).subject, ...(request.query.list ? { list: request.query.list } : {}) },
          orderBy: { name: 'asc' },
        });
        return { views: rows.map(view) };
      },
    );

    app.post(
      '/me/saved-views',
      {
        schema: {
          tags: ['session'],
          summary: 'Save the current filter of a list under a name (a name is unique per list)',
          security,
          body: z.object({
            list: z.enum(lists),
            name: z.string().trim().min(1, 'required').max(80, 'too long'),
            query: z.string().max(2000, 'too long').regex(/^[A-Za-z0-9_.~%+=&-]*$/, 'expected a URL query string'),
          }),
          response: { 201: savedViewSchema, ...problemResponses(409) },
        },
      },
      async (request, reply) => {
        const ownerSubject = principalOf(request).subject;
        if ((await deps.db.savedView.count({ where: { ownerSubject } })) >= maxViewsPerUser) {
          throw new ProblemError(409, 'Too many saved views', `at most ${maxViewsPerUser} per user: delete one first`);
        }
        try {
          const created = await deps.db.savedView.create({ data: { ownerSubject, ...request.body } });
          return reply.code(201).send(view(created));
        } catch (error) {
          if (isUniqueViolation(error)) {
            throw new ProblemError(409, 'Name taken', `a view named "${request.body.name}" already exists`, [{ field: 'body.name', reason: 'already used for this list' }]);
          }
          throw error;
        }
      },
    );

    app.delete(
      '/me/saved-views/:id',
      { schema: { tags: ['session'], summary: 'Delete one of my saved views', security, params: idParams, response: { 204: z.null(), ...problemResponses(404) } } },
      async (request, reply) => {
        // Someone else's view is as missing as a deleted one.
        const { count } = await deps.db.savedView.deleteMany({ where: { id: request.params.id, ownerSubject: principalOf(request).subject } });
        if (count === 0) throw new ProblemError(404, 'View not found', `no saved view ${request.params.id}`);
        return reply.code(204).send(null);
      },
    );
  };
}

import { z } from 'zod';
import { dossierSubjectName, nameAsShownTo } from '../domain/person-names';
import type { Principal } from '../domain/principal';
import type { Database, Prisma } from '../runtime/database';
import { dossierListQuerySchema, dossierListSchema, listDossiers } from './dossier-list';
import { ProblemError } from './problem';

/** At most this many words in a name searched for: no name has more, and each is one more array element to match. */
const maxNameWords = 8;

/**
 * The dossier list's filters in a request body, with the name of the person the dossier is about: a
 * name never travels in a URL (proxies and access logs keep those). Letters, spaces, hyphens and
 * apostrophes only, so a wildcard or a pattern is refused rather than interpreted.
 */
export const dossierSearchSchema = dossierListQuerySchema.extend({
  name: z
    .string()
    .trim()
    .min(2, 'too short')
    .max(120, 'too long')
    .regex(/^[\p{L}\p{M}' .-]+$/u, 'only letters, spaces, hyphens and apostrophes')
    .refine((v) => /\p{L}/u.test(v), 'must contain a letter')
    // The rule as a pattern any JSON Schema reader compiles (no \p classes): Latin and Vietnamese letters.
    .meta({ pattern: "^[A-Za-z\u00C0-\u1EF9' .-]+$" })
    .optional()
    .describe("The child's or deceased's name, whole words in any order, accents and case ignored ('nguyen van an' finds 'Nguyễn Văn An')"),
});
export type DossierSearch = z.infer<typeof dossierSearchSchema>;

const item = dossierListSchema.shape.items.element;
export const dossierSearchResultSchema = dossierListSchema.extend({
  items: z.array(item.extend({ name: z.string().nullable().describe("The child's or deceased's name, masked (N••• V••• A•••) for supervisors") })),
});
export type DossierSearchResult = z.infer<typeof dossierSearchResultSchema>;

/** The name's words as the database keeps them (the same SQL function as its trigger: migration 20261205192500). */
async function nameWords(db: Database, name: string): Promise<string[]> {
  const [row] = await db.$queryRaw<{ words: string[] }[]>`SELECT dossier_name_words(${name}) AS words`;
  const words = row?.words ?? [];
  if (words.length === 0) throw new ProblemError(400, 'Invalid request', 'the name has no word to search for', [{ field: 'body.name', reason: 'must contain a letter' }]);
  if (words.length > maxNameWords) throw new ProblemError(400, 'Invalid request', 'the name has too many words', [{ field: 'body.name', reason: `at most ${maxNameWords} words` }]);
  return words;
}

/** The dossiers a principal may read, found by name among the other filters, each with its name as the principal may read it. */
export async function searchDossiers(db: Database, principal: Principal, search: DossierSearch): Promise<DossierSearchResult> {
  const { name, ...query } = search;
  const byName: Prisma.DossierWhereInput = name ? { nameWords: { hasEvery: await nameWords(db, name) } } : {};
  const list = await listDossiers(db, principal, query, new Date(), byName);
  const rows = await db.dossier.findMany({ where: { dossierNumber: { in: list.items.map((d) => d.dossierNumber) } }, select: { dossierNumber: true, intake: true } });
  const names = new Map(rows.map((r) => [r.dossierNumber, dossierSubjectName(r.intake)]));
  return {
    ...list,
    items: list.items.map((d) => {
      const full = names.get(d.dossierNumber) ?? null;
      return { ...d, name: full === null ? null : nameAsShownTo(principal.role, full) };
    }),
  };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as Pg } from 'pg';
import { procedureGroups } from '../../domain/procedures';
import { dossierStatuses, openStepStatuses, runningDossierStatuses, stepStatuses, taskKinds, taskStatuses } from '../../domain/statuses';
import { stepModes } from '../../domain/step-modes';
import { projectRoot } from '../../runtime/tools';

/**
 * The statuses are listed once, in domain/statuses.ts; what cannot import it spells them again: the
 * enums of prisma/schema.prisma, the types and trigger functions the applied migrations made (never
 * edited once applied). Each is read here and held to the domain's lists, so that a status added on one
 * side only, or an "open" set changed in the code but not in SQL, fails the suite.
 */
const enums: Record<string, readonly string[]> = {
  ProcedureGroup: procedureGroups,
  DossierStatus: dossierStatuses,
  StepStatus: stepStatuses,
  StepMode: stepModes,
  AgencyTaskStatus: taskStatuses,
  AgencyTaskKind: taskKinds,
};

/** `enum Name { A B }` blocks of a Prisma schema, comments and attributes left out. */
function prismaEnums(schema: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [, name, body] of schema.matchAll(/^enum (\w+) \{([^}]*)\}/gm)) {
    const values = body!
      .split('\n')
      .map((line) => line.replace(/\/\/.*$/, '').trim())
      .filter((line) => line !== '')
      .map((line) => line.split(/\s+/)[0]!);
    found.set(name!, values);
  }
  return found;
}

/** The codes of every `<column> IN ('A', 'B')` of a statement, list by list. */
function inLists(sql: string, column: string): string[][] {
  const pattern = new RegExp(`${column.replace('.', '\\.')} IN \\(([^)]*)\\)`, 'g');
  return [...sql.matchAll(pattern)].map(([, list]) => [...list!.matchAll(/'(\w+)'/g)].map(([, code]) => code!));
}

const sorted = (codes: readonly string[]) => [...codes].sort();

describe('the statuses the database spells', () => {
  let pg: Pg;
  beforeAll(async () => {
    pg = new Pg({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
  });

  it('schema.prisma declares each enum with the domain list, in its order', () => {
    const declared = prismaEnums(readFileSync(join(projectRoot, 'prisma', 'schema.prisma'), 'utf8'));
    for (const [name, codes] of Object.entries(enums)) expect({ name, codes: declared.get(name) }).toEqual({ name, codes: [...codes] });
  });

  it('the migrated database has the same enum types', async () => {
    const { rows } = await pg.query<{ name: string; codes: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS codes
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typname = ANY($1) GROUP BY t.typname`,
      [Object.keys(enums)],
    );
    expect(Object.fromEntries(rows.map((r) => [r.name, r.codes]))).toEqual(Object.fromEntries(Object.entries(enums).map(([name, codes]) => [name, [...codes]])));
  });

  it("the supervision triggers count the domain's open steps of running dossiers", async () => {
    const { rows } = await pg.query<{ definition: string }>(`SELECT pg_get_functiondef('dossier_supervision_values'::regproc) AS definition`);
    const definition = rows[0]!.definition;
    // Each step's deadline (late_at) and its key in open_steps: both over the open steps.
    const stepLists = inLists(definition, 's.status');
    expect(stepLists).toHaveLength(2);
    for (const list of stepLists) expect(sorted(list)).toEqual(sorted(openStepStatuses));
    expect(inLists(definition, 'dossier_status').map(sorted)).toEqual([sorted(runningDossierStatuses)]);
    // waiting_for_citizen: the one open status the citizen, not an agency, owes.
    const waiting = [...definition.matchAll(/s\.status = '(\w+)'/g)].map(([, code]) => code);
    expect(waiting).toEqual(['WAITING_FOR_SUPPLEMENT']);
    expect(openStepStatuses).toContain(waiting[0]);
  });

  it('the partial indexes of running dossiers have the statuses the views write out', async () => {
    const { rows } = await pg.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename = 'dossier' AND indexname LIKE 'dossier_running_%'`,
    );
    expect(rows.map((r) => r.name).sort()).toEqual(['dossier_running_due_idx', 'dossier_running_late_idx', 'dossier_running_place_idx']);
    for (const { definition } of rows) {
      const predicate = definition.slice(definition.indexOf(' WHERE '));
      const codes = [...predicate.matchAll(/'(\w+)'::"DossierStatus"/g)].map(([, code]) => code!);
      expect(sorted(codes)).toEqual(sorted(runningDossierStatuses));
    }
  });
});

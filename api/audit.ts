import type { Principal } from '../domain/principal';
import type { Database, Prisma } from '../runtime/database';

/** The database, or a transaction on it. */
type AuditLog = Pick<Database | Prisma.TransactionClient, 'auditEntry'>;

export interface AuditRecord {
  action: string;
  dossierNumber?: string;
  beforeStatus?: string | null;
  afterStatus?: string | null;
  detail?: object;
  /** The request's idempotency key: an entry with the same key is not written twice. */
  requestKey?: string | undefined;
}

/** Appends to the audit log (the table refuses updates and deletes). Never carries personal data. */
export async function audit(db: AuditLog, actor: Principal, record: AuditRecord): Promise<void> {
  await auditAll(db, actor, [record]);
}

/** Appends several entries at once (a bulk decision's), in the caller's transaction when given one. */
export async function auditAll(db: AuditLog, actor: Principal, records: AuditRecord[]): Promise<void> {
  await db.auditEntry.createMany({
    skipDuplicates: true,
    data: records.map((record) => ({
      actorSubject: actor.subject,
      actorRole: actor.role,
      action: record.action,
      dossierNumber: record.dossierNumber ?? null,
      beforeStatus: record.beforeStatus ?? null,
      afterStatus: record.afterStatus ?? null,
      detail: record.detail ?? {},
      requestKey: record.requestKey ?? null,
    })),
  });
}

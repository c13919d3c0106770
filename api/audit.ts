import type { Principal } from '../domain/principal';
import type { Database } from '../runtime/database';

export interface AuditRecord {
  action: string;
  dossierNumber?: string;
  beforeStatus?: string | null;
  afterStatus?: string | null;
  detail?: object;
  /** The request's idempotency key: an entry with the same key is not written twice. */
  requestKey?: string | undefined;
}

/** Appends to the audit log (the table refuses updates and deletes), alone or in the caller's transaction. Never carries personal data. */
export async function audit(db: Pick<Database, 'auditEntry'>, actor: Principal, record: AuditRecord): Promise<void> {
  await db.auditEntry.createMany({
    skipDuplicates: true,
    data: {
      actorSubject: actor.subject,
      actorRole: actor.role,
      action: record.action,
      dossierNumber: record.dossierNumber ?? null,
      beforeStatus: record.beforeStatus ?? null,
      afterStatus: record.afterStatus ?? null,
      detail: record.detail ?? {},
      requestKey: record.requestKey ?? null,
    },
  });
}

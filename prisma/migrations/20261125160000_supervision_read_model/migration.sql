-- What the supervisors' views count, kept on each dossier by triggers in the same transaction as the
-- step, incident and dossier writes, so every count stays exact and reads one table (and, through the
-- partial indexes below, only the dossiers still running):
--   late_at              when a running dossier is late: its own deadline or an open step's, whichever
--                        comes first (null once it ended); "overdue" is late_at < now, a time-dependent
--                        condition no stored counter could keep.
--   open_incident_count  incidents still waiting for a supervisor's decision.
--   waiting_for_citizen  a step waits for the citizen's supplement.
--   open_steps           'AGENCY:STEP:STATUS' of each step an agency or the citizen still owes, for the
--                        counts per agency and step without joining the steps.
ALTER TABLE "dossier"
    ADD COLUMN "late_at" TIMESTAMPTZ(3),
    ADD COLUMN "open_incident_count" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "waiting_for_citizen" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "open_steps" TEXT[] NOT NULL DEFAULT '{}';

-- Computed from the dossier's steps and incidents. VOLATILE on purpose: it must read with a fresh
-- snapshot, taken after the caller holds the dossier's row lock, so that of two transactions writing
-- two steps of the same dossier at once (parallel branches), the second sees the first's step.
CREATE FUNCTION "dossier_supervision_values"(target UUID, dossier_status "DossierStatus", dossier_due TIMESTAMPTZ,
    OUT late_at TIMESTAMPTZ, OUT open_incident_count INTEGER, OUT waiting_for_citizen BOOLEAN, OUT open_steps TEXT[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    first_step_due TIMESTAMPTZ;
BEGIN
    -- PL/pgSQL rather than SQL: its plans are prepared once per session, not on every row.
    SELECT min(s.due_at) FILTER (WHERE s.status IN ('RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT')),
           coalesce(bool_or(s.status = 'WAITING_FOR_SUPPLEMENT'), false),
           coalesce(array_agg(s.agency || ':' || s.step || ':' || s.status ORDER BY s.step)
                    FILTER (WHERE s.status IN ('RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT')), '{}')
      INTO first_step_due, waiting_for_citizen, open_steps
      FROM "dossier_step" s WHERE s.dossier_id = target;
    SELECT count(*)::INTEGER INTO open_incident_count FROM "incident" i WHERE i.dossier_id = target AND i.status = 'OPEN';
    late_at := CASE WHEN dossier_status IN ('RECEIVED', 'IN_PROGRESS') THEN least(dossier_due, first_step_due) END;
END $$;

-- The dossier's own status or deadline changed (or it was just inserted): computed into the new row,
-- which the update has already locked.
CREATE FUNCTION "dossier_supervision_on_dossier"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT v.late_at, v.open_incident_count, v.waiting_for_citizen, v.open_steps
      INTO NEW.late_at, NEW.open_incident_count, NEW.waiting_for_citizen, NEW.open_steps
      FROM "dossier_supervision_values"(NEW.id, NEW.status, NEW.due_at) v;
    RETURN NEW;
END $$;

CREATE TRIGGER "dossier_supervision_on_dossier" BEFORE INSERT OR UPDATE OF status, due_at ON "dossier"
    FOR EACH ROW EXECUTE FUNCTION "dossier_supervision_on_dossier"();

-- A step or incident changed: lock its dossier first (serialising the writers of one dossier), then
-- recompute; the dossier row is written only when a value changed.
CREATE FUNCTION "dossier_supervision_on_child"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target UUID := CASE WHEN TG_OP = 'DELETE' THEN OLD.dossier_id ELSE NEW.dossier_id END;
    current_status "DossierStatus";
    current_due TIMESTAMPTZ;
BEGIN
    SELECT status, due_at INTO current_status, current_due FROM "dossier" WHERE id = target FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NULL; -- the dossier itself is being deleted
    END IF;
    UPDATE "dossier" d
       SET late_at = v.late_at, open_incident_count = v.open_incident_count,
           waiting_for_citizen = v.waiting_for_citizen, open_steps = v.open_steps
      FROM "dossier_supervision_values"(target, current_status, current_due) v
     WHERE d.id = target
       AND (d.late_at, d.open_incident_count, d.waiting_for_citizen, d.open_steps)
           IS DISTINCT FROM (v.late_at, v.open_incident_count, v.waiting_for_citizen, v.open_steps);
    RETURN NULL;
END $$;

CREATE TRIGGER "dossier_supervision_on_step" AFTER INSERT OR DELETE OR UPDATE OF status, due_at, agency, step ON "dossier_step"
    FOR EACH ROW EXECUTE FUNCTION "dossier_supervision_on_child"();
CREATE TRIGGER "dossier_supervision_on_incident" AFTER INSERT OR DELETE OR UPDATE OF status, dossier_id ON "incident"
    FOR EACH ROW EXECUTE FUNCTION "dossier_supervision_on_child"();

-- Existing dossiers: those running, or left with an open step or incident.
UPDATE "dossier" d SET due_at = d.due_at
 WHERE d.status IN ('RECEIVED', 'IN_PROGRESS')
    OR EXISTS (SELECT 1 FROM "dossier_step" s WHERE s.dossier_id = d.id AND s.status IN ('RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT'))
    OR EXISTS (SELECT 1 FROM "incident" i WHERE i.dossier_id = d.id AND i.status = 'OPEN');

-- Running dossiers only (a tenth or less of the table): each view reads its scope's entries of this
-- index without visiting the table. Not expressible in schema.prisma (partial, INCLUDE).
CREATE INDEX "dossier_running_place_idx" ON "dossier" ("province_code", "commune_code", "late_at")
    INCLUDE ("status", "procedure_group", "received_at", "due_at", "dossier_number", "open_incident_count", "waiting_for_citizen", "open_steps")
    WHERE status IN ('RECEIVED', 'IN_PROGRESS');
CREATE INDEX "dossier_running_late_idx" ON "dossier" ("late_at") WHERE status IN ('RECEIVED', 'IN_PROGRESS');
-- The stuck list's order (oldest deadline first) over running dossiers, and the dashboard's count of
-- today's receipts and completions.
CREATE INDEX "dossier_running_due_idx" ON "dossier" ("due_at", "dossier_number")
    INCLUDE ("status", "procedure_group", "province_code", "commune_code", "received_at", "late_at", "open_incident_count", "waiting_for_citizen", "open_steps")
    WHERE status IN ('RECEIVED', 'IN_PROGRESS');
CREATE INDEX "dossier_received_at_idx" ON "dossier" ("received_at") INCLUDE ("province_code", "commune_code");
CREATE INDEX "dossier_completed_at_idx" ON "dossier" ("completed_at") INCLUDE ("province_code", "commune_code", "status", "due_at")
    WHERE completed_at IS NOT NULL;

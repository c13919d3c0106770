-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ProcedureGroup" AS ENUM ('BIRTH', 'DEATH');

-- CreateEnum
CREATE TYPE "DossierStatus" AS ENUM ('RECEIVED', 'IN_PROGRESS', 'COMPLETED', 'PARTIALLY_COMPLETED', 'REFUSED', 'WITHDRAWN', 'CANCELLED');

-- CreateEnum
CREATE TYPE "StepStatus" AS ENUM ('PENDING', 'RUNNING', 'WAITING_FOR_SUPPLEMENT', 'INCIDENT', 'COMPLETED', 'REFUSED', 'BLOCKED', 'SKIPPED', 'CANCELLED', 'COMPENSATED', 'COMPENSATION_SKIPPED');

-- CreateEnum
CREATE TYPE "IncidentKind" AS ENUM ('STEP', 'COMPENSATION');

-- CreateEnum
CREATE TYPE "IncidentStatus" AS ENUM ('OPEN', 'RESOLVED');

-- CreateTable
CREATE TABLE "dossier" (
    "id" UUID NOT NULL,
    "dossier_number" TEXT NOT NULL,
    "procedure_group" "ProcedureGroup" NOT NULL,
    "status" "DossierStatus" NOT NULL DEFAULT 'RECEIVED',
    "workflow_id" TEXT NOT NULL,
    "province_code" TEXT NOT NULL,
    "commune_code" TEXT NOT NULL,
    "intake" JSONB NOT NULL,
    "intake_digest" TEXT NOT NULL,
    "selected_steps" TEXT[],
    "definition_version" INTEGER NOT NULL,
    "stop_reason" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dossier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dossier_step" (
    "id" UUID NOT NULL,
    "dossier_id" UUID NOT NULL,
    "step" TEXT NOT NULL,
    "agency" TEXT NOT NULL,
    "status" "StepStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "round" INTEGER NOT NULL DEFAULT 0,
    "supplement_documents" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "last_error" TEXT,
    "result" JSONB,
    "refusal_code" TEXT,
    "refusal_reason" TEXT,
    "supplement_reason" TEXT,
    "supplement_due_at" TIMESTAMPTZ(3),
    "compensated_at" TIMESTAMPTZ(3),
    "compensation" JSONB,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dossier_step_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dossier_event" (
    "id" BIGSERIAL NOT NULL,
    "dossier_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "step" TEXT,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dossier_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incident" (
    "id" UUID NOT NULL,
    "dossier_id" UUID NOT NULL,
    "step" TEXT NOT NULL,
    "agency" TEXT NOT NULL,
    "kind" "IncidentKind" NOT NULL,
    "status" "IncidentStatus" NOT NULL DEFAULT 'OPEN',
    "last_error" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    "decision" TEXT,

    CONSTRAINT "incident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entry" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_subject" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "dossier_number" TEXT,
    "before_status" TEXT,
    "after_status" TEXT,
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dossier_dossier_number_key" ON "dossier"("dossier_number");

-- CreateIndex
CREATE UNIQUE INDEX "dossier_workflow_id_key" ON "dossier"("workflow_id");

-- CreateIndex
CREATE INDEX "dossier_procedure_group_status_idx" ON "dossier"("procedure_group", "status");

-- CreateIndex
CREATE INDEX "dossier_province_code_commune_code_status_idx" ON "dossier"("province_code", "commune_code", "status");

-- CreateIndex
CREATE INDEX "dossier_status_received_at_idx" ON "dossier"("status", "received_at");

-- CreateIndex
CREATE INDEX "dossier_status_due_at_idx" ON "dossier"("status", "due_at");

-- CreateIndex
CREATE INDEX "dossier_step_step_status_idx" ON "dossier_step"("step", "status");

-- CreateIndex
CREATE INDEX "dossier_step_agency_status_idx" ON "dossier_step"("agency", "status");

-- CreateIndex
CREATE UNIQUE INDEX "dossier_step_dossier_id_step_key" ON "dossier_step"("dossier_id", "step");

-- CreateIndex
CREATE INDEX "dossier_event_dossier_id_at_idx" ON "dossier_event"("dossier_id", "at");

-- CreateIndex
CREATE INDEX "incident_status_agency_step_idx" ON "incident"("status", "agency", "step");

-- CreateIndex
CREATE INDEX "incident_dossier_id_idx" ON "incident"("dossier_id");

-- CreateIndex
CREATE INDEX "audit_entry_dossier_number_at_idx" ON "audit_entry"("dossier_number", "at");

-- CreateIndex
CREATE INDEX "audit_entry_actor_subject_at_idx" ON "audit_entry"("actor_subject", "at");

-- AddForeignKey
ALTER TABLE "dossier_step" ADD CONSTRAINT "dossier_step_dossier_id_fkey" FOREIGN KEY ("dossier_id") REFERENCES "dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dossier_event" ADD CONSTRAINT "dossier_event_dossier_id_fkey" FOREIGN KEY ("dossier_id") REFERENCES "dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "incident" ADD CONSTRAINT "incident_dossier_id_fkey" FOREIGN KEY ("dossier_id") REFERENCES "dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The audit log is append-only: no role may change or remove what it recorded.
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_entry is append-only';
END;
$$;
CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON "audit_entry"
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();

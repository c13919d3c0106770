-- CreateEnum
CREATE TYPE "StepMode" AS ENUM ('AUTOMATED', 'MANUAL');

-- CreateEnum
CREATE TYPE "AgencyTaskStatus" AS ENUM ('OPEN', 'CLAIMED', 'DONE', 'CANCELLED');

-- AlterTable
ALTER TABLE "dossier_step" ADD COLUMN     "mode" "StepMode" NOT NULL DEFAULT 'AUTOMATED';

-- CreateTable
CREATE TABLE "agency_task" (
    "id" UUID NOT NULL,
    "dossier_id" UUID NOT NULL,
    "step" TEXT NOT NULL,
    "round" INTEGER NOT NULL DEFAULT 0,
    "agency" TEXT NOT NULL,
    "province_code" TEXT NOT NULL,
    "commune_code" TEXT NOT NULL,
    "status" "AgencyTaskStatus" NOT NULL DEFAULT 'OPEN',
    "claimed_by" TEXT,
    "claimed_at" TIMESTAMPTZ(3),
    "task_token" BYTEA NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    "completed_by" TEXT,
    "outcome" JSONB,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "agency_task_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "agency_task_agency_province_code_commune_code_status_due_at_idx" ON "agency_task"("agency", "province_code", "commune_code", "status", "due_at");

-- CreateIndex
CREATE INDEX "agency_task_status_due_at_idx" ON "agency_task"("status", "due_at");

-- CreateIndex
CREATE UNIQUE INDEX "agency_task_dossier_id_step_round_key" ON "agency_task"("dossier_id", "step", "round");

-- AddForeignKey
ALTER TABLE "agency_task" ADD CONSTRAINT "agency_task_dossier_id_fkey" FOREIGN KEY ("dossier_id") REFERENCES "dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "dossier" ADD COLUMN     "workflow_started_at" TIMESTAMPTZ(3);

-- Dossiers received before the outbox existed had their workflow started at intake.
UPDATE "dossier" SET "workflow_started_at" = "created_at";

-- CreateIndex
CREATE INDEX "dossier_workflow_started_at_idx" ON "dossier"("workflow_started_at");

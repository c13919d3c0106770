-- AlterTable
ALTER TABLE "dossier_step" ADD COLUMN     "due_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "dossier_step_status_due_at_idx" ON "dossier_step"("status", "due_at");


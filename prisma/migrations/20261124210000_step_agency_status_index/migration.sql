-- CreateIndex
CREATE INDEX "dossier_step_step_agency_status_idx" ON "dossier_step"("step", "agency", "status");

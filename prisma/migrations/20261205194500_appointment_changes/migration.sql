-- Nghị định 63/2024 Điều 7.2–7.3: a late agency apologises to the citizen with a new appointment date,
-- and an agency that must verify the dossier extends the group's limit once. Each change is recorded
-- once (dossier, kind, ordinal): a retried activity or a second click inserts nothing.
CREATE TYPE "AppointmentChangeKind" AS ENUM ('APOLOGY', 'VERIFICATION');

CREATE TABLE "appointment_change" (
    "id" UUID NOT NULL,
    "dossier_id" UUID NOT NULL,
    "kind" "AppointmentChangeKind" NOT NULL,
    -- The apology's number for this dossier (1, 2…); always 1 for the one verification.
    "ordinal" INTEGER NOT NULL,
    "agency" TEXT NOT NULL,
    "step" TEXT,
    "reason_code" TEXT NOT NULL,
    -- The officer's own words; may quote personal data: shown to staff, never sent or logged.
    "reason_text" TEXT,
    "previous_at" TIMESTAMPTZ(3) NOT NULL,
    "new_at" TIMESTAMPTZ(3) NOT NULL,
    "issued_by" TEXT NOT NULL,
    "automatic" BOOLEAN NOT NULL DEFAULT false,
    "issued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "appointment_change_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "appointment_change_dossier_id_fkey" FOREIGN KEY ("dossier_id") REFERENCES "dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "appointment_change_dossier_id_kind_ordinal_key" ON "appointment_change"("dossier_id", "kind", "ordinal");
CREATE INDEX "appointment_change_agency_kind_idx" ON "appointment_change"("agency", "kind");

-- The date promised to the citizen when an apology moved it past the deadline; null: the deadline itself.
ALTER TABLE "dossier" ADD COLUMN "appointment_at" TIMESTAMPTZ(3);

ALTER TYPE "CitizenNotificationEvent" ADD VALUE IF NOT EXISTS 'APPOINTMENT_RESCHEDULED';
ALTER TYPE "CitizenNotificationEvent" ADD VALUE IF NOT EXISTS 'VERIFICATION_EXTENDED';

-- A health facility's birth or death notice, and the draft dossier it opens at the commune desk of the
-- mother's (or the deceased's) residence until the family confirms it. The legal time limit (60 days
-- from a birth, 15 from a death) is stored, so an unconfirmed draft is found overdue by a query even
-- if its workflow's timers never ran; the workflow reminds before and marks it after.
CREATE TABLE "life_event_notice" (
    "id" UUID PRIMARY KEY,
    "kind" TEXT NOT NULL CHECK ("kind" IN ('BIRTH', 'DEATH')),
    "facility_code" TEXT NOT NULL,
    "notice_number" TEXT NOT NULL,
    "issuer_subject" TEXT NOT NULL,
    "notice" JSONB NOT NULL,
    -- Digest of the notice as first received: the same number with other content is a conflict.
    "notice_digest" TEXT NOT NULL,
    "province_code" TEXT NOT NULL,
    "commune_code" TEXT NOT NULL,
    "event_date" DATE NOT NULL,
    "limit_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "status" TEXT NOT NULL DEFAULT 'DRAFT' CHECK ("status" IN ('DRAFT', 'CONFIRMED')),
    -- The dossier number a desk is confirming the draft under, claimed before the dossier is written,
    -- so two desks racing (or one repeating) never make two dossiers of one notice.
    "confirming_dossier_number" TEXT,
    "dossier_id" UUID REFERENCES "dossier" ("id"),
    "confirmed_at" TIMESTAMPTZ(3),
    "reminders_sent" INTEGER NOT NULL DEFAULT 0,
    "last_reminder_at" TIMESTAMPTZ(3),
    "overdue_at" TIMESTAMPTZ(3),
    "workflow_id" TEXT NOT NULL,
    "workflow_started_at" TIMESTAMPTZ(3),
    CHECK (("status" = 'CONFIRMED') = ("dossier_id" IS NOT NULL))
);

CREATE UNIQUE INDEX "life_event_notice_facility_number_key" ON "life_event_notice" ("facility_code", "notice_number");
CREATE UNIQUE INDEX "life_event_notice_dossier_key" ON "life_event_notice" ("dossier_id");
-- A desk's drafts and a supervisor's overdue ones, soonest limit first.
CREATE INDEX "life_event_notice_place_idx" ON "life_event_notice" ("province_code", "commune_code", "status", "limit_at");
CREATE INDEX "life_event_notice_pending_start_idx" ON "life_event_notice" ("received_at") WHERE "workflow_started_at" IS NULL;
-- Drafts whose confirmation was cut off after their number was claimed: the reconciler finishes them.
CREATE INDEX "life_event_notice_claimed_idx" ON "life_event_notice" ("confirming_dossier_number") WHERE "status" = 'DRAFT' AND "confirming_dossier_number" IS NOT NULL;

-- An escalation is recorded at once and announced to the webhook through this table as an outbox: an
-- announcement that failed waits, doubling, before it is tried again (by the deadline sweep, oldest due
-- first), and after ESCALATION_MAX_ATTEMPTS it is given up, so a receiver refusing some escalations
-- holds up none of the others. Undelivered rows recorded earlier are due now.
ALTER TABLE "escalation"
    ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "last_error" TEXT,
    ADD COLUMN "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    ADD COLUMN "given_up_at" TIMESTAMPTZ(3);

CREATE INDEX "escalation_undelivered_idx" ON "escalation" ("next_attempt_at") WHERE "delivered_at" IS NULL AND "given_up_at" IS NULL;

-- The intake outbox (a dossier's or a notice's workflow start not yet accepted by Temporal): a start
-- Temporal refuses (or whose row cannot make one) waits, doubling, and after a bounded number of
-- refusals is given up instead of being tried first forever. An outage counts no attempt: it says
-- nothing of the row. last_error holds the latest reason either way.
ALTER TABLE "dossier"
    ADD COLUMN "start_attempts" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "start_last_error" TEXT,
    ADD COLUMN "start_next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    ADD COLUMN "start_given_up_at" TIMESTAMPTZ(3);

ALTER TABLE "life_event_notice"
    ADD COLUMN "start_attempts" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "start_last_error" TEXT,
    ADD COLUMN "start_next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    ADD COLUMN "start_given_up_at" TIMESTAMPTZ(3);

-- The reconciler reads only the starts still to try, the earliest due first.
CREATE INDEX "dossier_start_pending_idx" ON "dossier" ("start_next_attempt_at") WHERE "workflow_started_at" IS NULL AND "start_given_up_at" IS NULL;
CREATE INDEX "life_event_notice_start_pending_idx" ON "life_event_notice" ("start_next_attempt_at") WHERE "workflow_started_at" IS NULL AND "start_given_up_at" IS NULL;

-- Announcements to the citizen: each is recorded in the transaction of the state change it
-- announces (a step completed or refused, a supplement requested, the group ended) and sent afterwards
-- by the worker's relay through the notification gateway. A crash between the two loses nothing; a
-- crash between sending and marking sends again under the same Idempotency-Key (the row's id), which
-- the gateway dedupes. Rows hold codes only: the recipient is read from the dossier's intake, the text
-- rendered from templates, both when sent.
CREATE TYPE "CitizenNotificationEvent" AS ENUM ('STEP_COMPLETED', 'STEP_REFUSED', 'SUPPLEMENT_REQUESTED', 'GROUP_ENDED');
CREATE TYPE "CitizenNotificationStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED', 'SKIPPED');

CREATE TABLE "citizen_notification" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "dossier_id" UUID NOT NULL,
    "event" "CitizenNotificationEvent" NOT NULL,
    "step" TEXT NOT NULL DEFAULT '',
    "round" INTEGER NOT NULL DEFAULT 0,
    "code" TEXT,
    "due_at" TIMESTAMPTZ(3),
    "status" "CitizenNotificationStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "last_error" TEXT,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "delivered_at" TIMESTAMPTZ(3),
    CONSTRAINT "citizen_notification_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "citizen_notification_dossier_id_fkey" FOREIGN KEY ("dossier_id") REFERENCES "dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CHECK (("status" = 'DELIVERED') = ("delivered_at" IS NOT NULL))
);

-- One announcement per (dossier, event, step, round): a retried activity records nothing twice.
CREATE UNIQUE INDEX "citizen_notification_dossier_id_event_step_round_key" ON "citizen_notification"("dossier_id", "event", "step", "round");

-- The relay reads only what is due, the metrics only what is not delivered: both stay small.
CREATE INDEX "citizen_notification_due_idx" ON "citizen_notification"("next_attempt_at") WHERE "status" = 'PENDING';
CREATE INDEX "citizen_notification_undelivered_idx" ON "citizen_notification"("status") WHERE "status" IN ('PENDING', 'FAILED');

-- A draft opened by a health facility's notice has no dossier yet, but the family is told of its legal
-- time limit: a reminder before it, and a word at it. These announcements go through the same outbox,
-- keyed on the notice instead of a dossier; the recipient is the phone the facility gave (the mother's,
-- or the death's informant's), read from the notice when sent, like a dossier's from its intake.
ALTER TYPE "CitizenNotificationEvent" ADD VALUE IF NOT EXISTS 'NOTICE_REMINDER';
ALTER TYPE "CitizenNotificationEvent" ADD VALUE IF NOT EXISTS 'NOTICE_OVERDUE';

ALTER TABLE "citizen_notification"
    ALTER COLUMN "dossier_id" DROP NOT NULL,
    ADD COLUMN "notice_id" UUID,
    ADD CONSTRAINT "citizen_notification_notice_id_fkey" FOREIGN KEY ("notice_id") REFERENCES "life_event_notice"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    ADD CONSTRAINT "citizen_notification_subject_check" CHECK (num_nonnulls("dossier_id", "notice_id") = 1);

-- One announcement per (notice, event, round), the round being the reminder's ordinal (0 at the
-- limit): a retried activity records nothing twice. Dossier rows (notice_id NULL) never collide here.
CREATE UNIQUE INDEX "citizen_notification_notice_id_event_round_key" ON "citizen_notification"("notice_id", "event", "round");

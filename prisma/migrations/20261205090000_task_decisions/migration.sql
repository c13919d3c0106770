-- An officer's decision on an agency task reaches the dossier's workflow as an update, and the
-- workflow's activities record it: the API no longer writes agency_task or dossier_step. The API keeps
-- what was decided (with its data: an ID number, a registration number) in task_decision, which is also
-- the outbox of the update when Temporal cannot take it at once: the workflow's history holds codes only.

-- Tasks opened for an update carry no activity token (only those of workflows started before do).
ALTER TABLE "agency_task" ALTER COLUMN "task_token" DROP NOT NULL;
-- How many times the task changed hands: a late write of an older claim never overtakes a newer one.
ALTER TABLE "agency_task" ADD COLUMN "claims" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "task_decision" (
    "id" UUID PRIMARY KEY,
    "task_id" UUID NOT NULL REFERENCES "agency_task" ("id") ON DELETE CASCADE,
    "dossier_id" UUID NOT NULL REFERENCES "dossier" ("id") ON DELETE CASCADE,
    "workflow_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "kind" "AgencyTaskKind" NOT NULL,
    "round" INTEGER NOT NULL,
    -- { status, result? | refusalCode, reason? }: personal data, kept here and never in Temporal.
    "outcome" JSONB NOT NULL,
    "decided_by" TEXT NOT NULL,
    -- The request's idempotency key: the same request repeated is the same decision (and update).
    "message_key" TEXT,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "delivered_at" TIMESTAMPTZ(3),
    -- DELIVERED (the workflow recorded it); REJECTED (the workflow refused it: decided meanwhile, no
    -- longer awaited); WORKFLOW_ENDED; REFUSED (Temporal kept refusing the message itself).
    "outcome_of_delivery" TEXT CHECK ("outcome_of_delivery" IN ('DELIVERED', 'REJECTED', 'WORKFLOW_ENDED', 'REFUSED')),
    CHECK (("delivered_at" IS NULL) = ("outcome_of_delivery" IS NULL))
);

CREATE UNIQUE INDEX "task_decision_message_key_key" ON "task_decision" ("message_key");
-- One decision on its way per task: a second click, a second tab, a colleague at the same moment get a
-- 409 at once instead of a second decision racing the first.
CREATE UNIQUE INDEX "task_decision_one_pending_per_task" ON "task_decision" ("task_id") WHERE "delivered_at" IS NULL;
CREATE INDEX "task_decision_pending_idx" ON "task_decision" ("next_attempt_at", "recorded_at") WHERE "delivered_at" IS NULL;

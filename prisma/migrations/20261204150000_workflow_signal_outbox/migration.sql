-- Signals to dossiers' workflows, recorded in the same transaction as the decision that causes them
-- (and its audit entries) and delivered afterwards by every API instance's relay. A supervisor's bulk
-- decision over a thousand incidents is answered once recorded, not once a thousand signals reached
-- Temporal, and a crash or a Temporal outage in between loses none of them. Delivery is at least
-- once: each signal names what it is about, and the workflow drops one it has already applied.
CREATE TABLE "workflow_signal_outbox" (
    "id" BIGSERIAL PRIMARY KEY,
    "workflow_id" TEXT NOT NULL,
    "signal" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    -- The request's idempotency key with the item it names: a repeated request records nothing twice.
    "message_key" TEXT,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    -- A signal Temporal refused (not one it could not take for an outage) waits before it is tried again.
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "delivered_at" TIMESTAMPTZ(3),
    -- DELIVERED; WORKFLOW_ENDED when the group ended before the signal reached it (nothing to apply);
    -- REFUSED when Temporal kept refusing it (given up, so it blocks nothing behind it).
    "outcome" TEXT CHECK ("outcome" IN ('DELIVERED', 'WORKFLOW_ENDED', 'REFUSED')),
    CHECK (("delivered_at" IS NULL) = ("outcome" IS NULL))
);

CREATE UNIQUE INDEX "workflow_signal_outbox_message_key_key" ON "workflow_signal_outbox" ("message_key");

-- The relay reads only what is still to deliver, oldest first.
CREATE INDEX "workflow_signal_outbox_pending_idx" ON "workflow_signal_outbox" ("next_attempt_at", "id") WHERE "delivered_at" IS NULL;

-- A state-changing API call sent with an Idempotency-Key: claimed before it runs, its first successful
-- answer kept, so a retried call gets that answer instead of a 409.
CREATE TABLE "idempotent_request" (
    "actor_subject" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "request_digest" TEXT NOT NULL,
    "status_code" INTEGER,
    "content_type" TEXT,
    "response" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    CONSTRAINT "idempotent_request_pkey" PRIMARY KEY ("actor_subject", "key")
);

-- The request an audit entry records: written once however often the request is retried.
ALTER TABLE "audit_entry" ADD COLUMN "request_key" TEXT;
CREATE UNIQUE INDEX "audit_entry_actor_subject_request_key_key" ON "audit_entry"("actor_subject", "request_key");

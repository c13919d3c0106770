-- The online channel (Nghị định 63/2024 Điều 6–7): dossiers submitted on the national public service
-- portal or in VNeID keep the portal's own code, and every status change goes back to the portal.

-- A dossier that came from the portal: its code there (said in every message back) and the last
-- sequence number given to one of its messages.
CREATE TABLE "portal_dossier" (
    "dossier_id" UUID PRIMARY KEY REFERENCES "dossier"("id") ON DELETE CASCADE,
    "portal_code" TEXT NOT NULL UNIQUE,
    "last_sequence" INTEGER NOT NULL DEFAULT 0
);

-- One message per status change of a portal dossier, recorded in the transaction of the change and
-- relayed afterwards (api/portal-outbox.ts), in sequence order per dossier. The portal dedupes on
-- message_key (portal code and sequence): a crash between sending and marking sends it again, never
-- a different message under the same key.
CREATE TABLE "portal_status_outbox" (
    "id" BIGSERIAL PRIMARY KEY,
    "dossier_id" UUID NOT NULL REFERENCES "dossier"("id") ON DELETE CASCADE,
    "sequence" INTEGER NOT NULL,
    "message_key" TEXT NOT NULL UNIQUE,
    -- RECEIVED, or the citizen announcement's event (CitizenNotificationEvent) it mirrors.
    "event" TEXT NOT NULL,
    "step" TEXT NOT NULL DEFAULT '',
    "round" INTEGER NOT NULL DEFAULT 0,
    "code" TEXT,
    "due_at" TIMESTAMPTZ(3),
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "delivered_at" TIMESTAMPTZ(3),
    -- DELIVERED; REJECTED when the portal refused it (4xx: kept with its answer, blocks nothing behind it).
    "outcome" TEXT CHECK ("outcome" IN ('DELIVERED', 'REJECTED', 'WORKFLOW_ENDED', 'REFUSED')),
    CHECK (("delivered_at" IS NULL) = ("outcome" IS NULL)),
    UNIQUE ("dossier_id", "sequence")
);

CREATE INDEX "portal_status_outbox_pending_idx" ON "portal_status_outbox" ("next_attempt_at", "id") WHERE "delivered_at" IS NULL;

-- Gives the dossier's next sequence number and records the message; nothing for a dossier not from the
-- portal. The counter's row lock orders concurrent changes of one dossier.
CREATE FUNCTION portal_status_record(p_dossier UUID, p_event TEXT, p_step TEXT, p_round INTEGER, p_code TEXT, p_due TIMESTAMPTZ) RETURNS void AS $$
DECLARE
  seq INTEGER;
  code TEXT;
BEGIN
  UPDATE portal_dossier SET last_sequence = last_sequence + 1 WHERE dossier_id = p_dossier
  RETURNING last_sequence, portal_code INTO seq, code;
  IF NOT FOUND THEN RETURN; END IF;
  INSERT INTO portal_status_outbox (dossier_id, sequence, message_key, event, step, round, code, due_at)
  VALUES (p_dossier, seq, code || ':' || seq, p_event, p_step, p_round, p_code, p_due);
END $$ LANGUAGE plpgsql;

-- Every announcement to the citizen of a portal dossier, whatever its event (later ones included),
-- is also a status message to the portal: one place records both.
CREATE FUNCTION portal_status_from_notification() RETURNS trigger AS $$
BEGIN
  IF NEW.dossier_id IS NOT NULL THEN
    PERFORM portal_status_record(NEW.dossier_id, NEW.event::text, NEW.step, NEW.round, NEW.code, NEW.due_at);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER "citizen_notification_to_portal" AFTER INSERT ON "citizen_notification"
FOR EACH ROW EXECUTE FUNCTION portal_status_from_notification();

-- The reception, with the appointment date, as soon as the portal's dossier is recorded.
CREATE FUNCTION portal_status_received() RETURNS trigger AS $$
BEGIN
  PERFORM portal_status_record(NEW.dossier_id, 'RECEIVED', '', 0, NULL, (SELECT due_at FROM dossier WHERE id = NEW.dossier_id));
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER "portal_dossier_received" AFTER INSERT ON "portal_dossier"
FOR EACH ROW EXECUTE FUNCTION portal_status_received();

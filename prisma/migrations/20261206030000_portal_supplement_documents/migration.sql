-- A supplement request sent to the portal names the documents asked for. The officer's request is kept
-- as the step's reason ("Cần bổ sung: <labels>. <note>", domain/catalogues.ts supplementRequestText);
-- the message takes it as it was when the request was recorded, so a message sent late (after a portal
-- outage, or once the citizen has answered and a new round began) still names what this request asked.
-- The relay sends only the catalogue's documents read from it (api/portal-outbox.ts), never the note.
ALTER TABLE "portal_status_outbox" ADD COLUMN "supplement_reason" TEXT;

DROP FUNCTION portal_status_record(UUID, TEXT, TEXT, INTEGER, TEXT, TIMESTAMPTZ);

CREATE FUNCTION portal_status_record(p_dossier UUID, p_event TEXT, p_step TEXT, p_round INTEGER, p_code TEXT, p_due TIMESTAMPTZ, p_supplement_reason TEXT DEFAULT NULL) RETURNS void AS $$
DECLARE
  seq INTEGER;
  code TEXT;
BEGIN
  UPDATE portal_dossier SET last_sequence = last_sequence + 1 WHERE dossier_id = p_dossier
  RETURNING last_sequence, portal_code INTO seq, code;
  IF NOT FOUND THEN RETURN; END IF;
  INSERT INTO portal_status_outbox (dossier_id, sequence, message_key, event, step, round, code, due_at, supplement_reason)
  VALUES (p_dossier, seq, code || ':' || seq, p_event, p_step, p_round, p_code, p_due, p_supplement_reason);
END $$ LANGUAGE plpgsql;

-- The step's reason is written before the announcement, in the same transaction (activities/bookkeeping.ts).
CREATE OR REPLACE FUNCTION portal_status_from_notification() RETURNS trigger AS $$
BEGIN
  IF NEW.dossier_id IS NOT NULL THEN
    PERFORM portal_status_record(NEW.dossier_id, NEW.event::text, NEW.step, NEW.round, NEW.code, NEW.due_at,
      CASE WHEN NEW.event::text = 'SUPPLEMENT_REQUESTED'
        THEN (SELECT supplement_reason FROM dossier_step WHERE dossier_id = NEW.dossier_id AND step = NEW.step) END);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

-- The supervisor's summary counts the messages the portal refused, per scope (api/supervision-summary.ts);
-- the undelivered ones are in the pending index already.
CREATE INDEX "portal_status_outbox_rejected_idx" ON "portal_status_outbox" ("dossier_id") WHERE "outcome" = 'REJECTED';

-- The receipt code the citizen looks the dossier up with, as a keyed hash only (api/receipt-codes.ts).
-- Dossiers received before stay without one: the public lookup refuses them as it refuses a wrong code,
-- until the clerk issues them a code.
ALTER TABLE "dossier"
    ADD COLUMN "receipt_code_hash" BYTEA,
    ADD COLUMN "receipt_code_issued_at" TIMESTAMPTZ(3);

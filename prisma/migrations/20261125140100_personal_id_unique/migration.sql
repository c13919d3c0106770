-- A personal ID number belongs to one person for life: it is never recorded on two dossiers' ID-number
-- steps, whoever entered it (the population database's system or an officer by hand). Kept after the
-- act is undone too: a cancelled number is never reissued. An expression index, so it lives here only.
CREATE UNIQUE INDEX IF NOT EXISTS "dossier_step_personal_id_key"
  ON "dossier_step" ((result ->> 'personalIdNumber'))
  WHERE step = 'PERSONAL_ID' AND result IS NOT NULL;

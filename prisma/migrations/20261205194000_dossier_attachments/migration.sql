-- The files a dossier carries (scans of the documents brought at intake or as a supplement). Written by
-- the API only, after the file is stored: a row never names a missing file.
CREATE TABLE "dossier_attachment" (
    "id" UUID NOT NULL,
    "dossier_id" UUID NOT NULL,
    "document_type" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "storage_key" TEXT NOT NULL,
    "uploaded_by" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "dossier_attachment_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "dossier_attachment_dossier_id_sha256_document_type_key" ON "dossier_attachment"("dossier_id", "sha256", "document_type");
CREATE UNIQUE INDEX "dossier_attachment_dossier_id_uploaded_by_idempotency_key_key" ON "dossier_attachment"("dossier_id", "uploaded_by", "idempotency_key");
CREATE INDEX "dossier_attachment_storage_key_idx" ON "dossier_attachment"("storage_key");
ALTER TABLE "dossier_attachment" ADD CONSTRAINT "dossier_attachment_dossier_id_fkey" FOREIGN KEY ("dossier_id") REFERENCES "dossier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

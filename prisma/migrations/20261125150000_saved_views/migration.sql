-- Saved list views of the console, per user: a name and the list's query string.
CREATE TABLE "saved_view" (
    "id" UUID NOT NULL,
    "owner_subject" TEXT NOT NULL,
    "list" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "saved_view_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "saved_view_owner_subject_list_name_key" ON "saved_view"("owner_subject", "list", "name");

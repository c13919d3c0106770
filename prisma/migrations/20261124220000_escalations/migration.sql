-- AlterTable
ALTER TABLE "dossier" ADD COLUMN     "escalation_level" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "overdue_since" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "escalation" (
    "id" UUID NOT NULL,
    "dossier_id" UUID NOT NULL,
    "step" TEXT NOT NULL DEFAULT '',
    "level" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "escalation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "escalation_dossier_id_step_level_key" ON "escalation"("dossier_id", "step", "level");

-- AddForeignKey
ALTER TABLE "escalation" ADD CONSTRAINT "escalation_dossier_id_fkey" FOREIGN KEY ("dossier_id") REFERENCES "dossier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

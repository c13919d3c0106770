-- CreateEnum
CREATE TYPE "AgencyTaskKind" AS ENUM ('ACT', 'UNDO');

-- AlterTable: every existing task is an act
ALTER TABLE "agency_task" ADD COLUMN     "kind" "AgencyTaskKind" NOT NULL DEFAULT 'ACT';

-- DropIndex
DROP INDEX "agency_task_dossier_id_step_round_key";

-- CreateIndex
CREATE UNIQUE INDEX "agency_task_dossier_id_step_round_kind_key" ON "agency_task"("dossier_id", "step", "round", "kind");

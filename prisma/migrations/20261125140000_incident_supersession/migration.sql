-- A stopped or ended group closes its open incidents as superseded (no decision will come).
ALTER TYPE "IncidentStatus" ADD VALUE IF NOT EXISTS 'SUPERSEDED';
-- A write to the read model that keeps failing is parked as an incident, never retried silently forever.
ALTER TYPE "IncidentKind" ADD VALUE IF NOT EXISTS 'BOOKKEEPING';

#!/usr/bin/env bash
# Prints the SQL that takes the schema of a git revision (default HEAD) to the working
# prisma/schema.prisma, for a new migration folder. Prisma 7's migrate engine is a native binary that cannot be installed offline;
# Prisma 6.19's WebAssembly engine can diff, given any reachable PostgreSQL in DATABASE_URL (e.g. the
# embedded one of `npm start`: postgresql://postgres:postgres@127.0.0.1:54320/lien_thong).
# Usage: DATABASE_URL=... scripts/migration-sql.sh [REV] > prisma/migrations/<timestamp>_<name>/migration.sql
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-HEAD}
: "${DATABASE_URL:?set DATABASE_URL to a reachable PostgreSQL (used by the diff engine only)}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund prisma@6.19.3 @prisma/adapter-pg@6.19.3 pg >/dev/null)
# Prisma 6 wants the classic generator and a url in the schema; the model is the same.
to_prisma6() { sed -e 's/provider     = "prisma-client"/provider = "prisma-client-js"/' -e '/moduleFormat/d' -e '/runtime      =/d' -e '/output       =/d' \
    -e 's/provider = "postgresql"/provider = "postgresql"\n  url = env("DATABASE_URL")/'; }
to_prisma6 < prisma/schema.prisma > "$work/schema.prisma"
git show "$rev:prisma/schema.prisma" | to_prisma6 > "$work/from.prisma"
cat > "$work/prisma.config.ts" <<CONFIG
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
export default defineConfig({
  schema: 'schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),
} as never);
CONFIG
# The engines' download is never needed for a diff; these paths only have to exist.
cd "$work" && PRISMA_QUERY_ENGINE_LIBRARY="$work/package.json" PRISMA_SCHEMA_ENGINE_BINARY="$work/package.json" \
  npx prisma migrate diff --from-schema-datamodel from.prisma --to-schema-datamodel schema.prisma --script 2>/dev/null \
  | grep -v '^Loaded Prisma config'

#!/usr/bin/env bash
# Fleet benchmark (BENCHMARKS.md, "Fleets"): N schemas × M migrations on the local
# PostgreSQL. Three runs on fresh schemas each time:
#   1. prismig migrate deploy --schemas 'tenant_*' --jobs J (wall time, peak RSS);
#   2. the parallel floor: one psql session per schema, J at a time, sending the same SQL
#      (Prisma's table, then each migration with its row in a transaction, one query per
#      migration as prismig sends it);
#   3. a sequential loop of single `prismig migrate deploy` runs, on a sample of S schemas,
#      extrapolated to N (said so in the output).
# Usage: scripts/bench-fleet.sh [N=500] [M=20] [J=8] [S=50]. Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
ensure_postgres
command -v psql >/dev/null || { echo "bench-fleet: psql is needed for the floor" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-fleet: /usr/bin/time is needed for the peak RSS (apt-get install time)" >&2; exit 1; }
N=${1:-500}
M=${2:-20}
J=${3:-8}
S=${4:-50}
# PRISMIG_BIN: an already built binary (to try the script itself; figures need release).
if [ -n "${PRISMIG_BIN:-}" ]; then
    BIN=$(realpath "$PRISMIG_BIN")
else
    cargo build --release --quiet --bin prismig
    BIN=$PWD/target/release/prismig
fi
DB=prismig_bench_fleet
BASE=${PG_URL%/*}
URL="$BASE/$DB"
work=$(mktemp -d /tmp/prismig-bench-fleet.XXXXXX)
trap 'rm -rf "$work"; psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

# The project: M migrations of two statements each.
mkdir -p "$work/project/prisma/migrations"
printf 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n' >"$work/project/prisma/schema.prisma"
printf 'provider = "postgresql"\n' >"$work/project/prisma/migrations/migration_lock.toml"
for i in $(seq -w 1 "$M"); do
    d="$work/project/prisma/migrations/202401010000${i}_m$i"
    mkdir -p "$d"
    printf 'CREATE TABLE "T%s" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "T%s_pkey" PRIMARY KEY ("id"));\nCREATE INDEX "T%s_name_idx" ON "T%s"("name");\n' "$i" "$i" "$i" "$i" >"$d/migration.sql"
done

fresh() {
    PGOPTIONS="-c client_min_messages=warning" psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
    seq 1 "$N" | awk '{printf "CREATE SCHEMA tenant_%04d;\n", $1}' | psql "$URL" -q >/dev/null
}

now() { date +%s.%N; }

# Every schema has its M finished rows (and so its tables): the run did the whole work.
check_rows() {
    local rows
    rows=$(psql "$URL" -Atc "SELECT sum(n) FROM (SELECT (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I._prisma_migrations WHERE finished_at IS NOT NULL', nspname), false, true, '')))[1]::text::int AS n FROM pg_namespace WHERE nspname LIKE 'tenant_%') s")
    [ "$rows" = $((N * M)) ] || { echo "bench-fleet: expected $((N * M)) finished rows, found $rows" >&2; exit 1; }
}

# 1. The fleet.
fresh
cd "$work/project"
t0=$(now)
DATABASE_URL=$URL /usr/bin/time -v "$BIN" migrate deploy --schemas 'tenant_*' --jobs "$J" >"$work/fleet.out" 2>"$work/fleet.err" || { tail -n 20 "$work/fleet.out" "$work/fleet.err"; exit 1; }
t1=$(now)
fleet=$(echo "$t1 - $t0" | bc)
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/fleet.err")
check_rows
cd - >/dev/null

# 2. The parallel floor: the same SQL through psql, J sessions at a time.
fresh
mkdir -p "$work/sql"
for s in $(seq 1 "$N"); do
    schema=$(printf 'tenant_%04d' "$s")
    {
        echo "SET search_path = $schema;"
        echo 'CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0);'
        for f in "$work"/project/prisma/migrations/*/migration.sql; do
            name=$(basename "$(dirname "$f")")
            # One query per migration, as prismig sends it: psql's \; joins the statements.
            echo 'BEGIN\;'
            sed 's/;$/\\;/' "$f"
            echo "INSERT INTO _prisma_migrations (id, checksum, migration_name, finished_at, applied_steps_count) VALUES (gen_random_uuid()::text, '$(sha256sum "$f" | cut -c1-64)', '$name', now(), 1)\\;"
            echo "COMMIT;"
        done
    } >"$work/sql/$schema.sql"
done
t0=$(now)
ls "$work"/sql/*.sql | xargs -P "$J" -I{} psql "$URL" -q -v ON_ERROR_STOP=1 -f {} >/dev/null
t1=$(now)
floor=$(echo "$t1 - $t0" | bc)
check_rows

# 3. Sequential single deploys, on a sample.
fresh
cd "$work/project"
t0=$(now)
for s in $(seq 1 "$S"); do
    DATABASE_URL="$URL?schema=$(printf 'tenant_%04d' "$s")" "$BIN" migrate deploy >/dev/null
done
t1=$(now)
cd - >/dev/null
sample=$(echo "$t1 - $t0" | bc)
loop=$(echo "$sample * $N / $S" | bc -l)

printf 'schemas=%s migrations=%s jobs=%s\n' "$N" "$M" "$J"
printf 'fleet:            %.2f s (peak RSS %s KiB)\n' "$fleet" "$rss"
printf 'parallel psql:    %.2f s (floor)\n' "$floor"
printf 'sequential loop:  %.2f s (extrapolated from %s schemas: %.2f s)\n' "$loop" "$S" "$sample"
printf 'fleet / floor:    %.2fx\n' "$(echo "$fleet / $floor" | bc -l)"
printf 'loop / fleet:     %.2fx\n' "$(echo "$loop / $fleet" | bc -l)"

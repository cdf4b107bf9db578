#!/usr/bin/env bash
# Deploys the example project (prisma/) and shows its status: the main job, end to end.
# Uses DATABASE_URL when set; else a database `prismig_example` on the local (or a
# throwaway) PostgreSQL, which `migrate deploy` creates.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --bin prismig
if [ -z "${DATABASE_URL:-}" ]; then
    source scripts/lib/postgres.sh
    ensure_postgres
    DATABASE_URL="${PG_URL%/*}/prismig_example"
    export DATABASE_URL
fi
./target/debug/prismig migrate deploy
./target/debug/prismig migrate status

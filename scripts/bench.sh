#!/usr/bin/env bash
# Benchmarks prismig against the floor the database sets (BENCHMARKS.md). One command from a
# clean clone: builds the release binary, provides PostgreSQL (scripts/lib/postgres.sh), runs
# scripts/bench.py. Options go to bench.py (--help). Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
ensure_postgres
command -v psql >/dev/null || { echo "bench: psql is needed for the floor (apt-get install postgresql-client)" >&2; exit 1; }
cargo build --release --quiet --bin prismig
exec python3 scripts/bench.py --pg-url "$PG_URL" --bin target/release/prismig "$@"

#!/usr/bin/env bash
# Runs the whole test suite against a real PostgreSQL (see scripts/lib/postgres.sh for
# where it comes from). Extra arguments go to the test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
ensure_postgres
export TEST_DATABASE_URL=$PG_URL
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --profile "${NEXTEST_PROFILE:-default}" "$@"
else
    cargo test "$@"
fi

#!/usr/bin/env bash
# Runs the whole test suite against real databases: PostgreSQL (scripts/lib/postgres.sh),
# MySQL/MariaDB (scripts/lib/mariadb.sh) and SQLite (files). Extra arguments go to the
# test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
source scripts/lib/mariadb.sh
ensure_postgres
ensure_mariadb
ensure_mysql_client_library
export TEST_DATABASE_URL=$PG_URL
export TEST_MYSQL_URL=$MYSQL_URL
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --features mysql --profile "${NEXTEST_PROFILE:-default}" "$@"
else
    cargo test --features mysql "$@"
fi

#!/usr/bin/env bash
# Runs the whole test suite against real databases: PostgreSQL (scripts/lib/postgres.sh),
# MySQL/MariaDB (scripts/lib/mariadb.sh) and SQLite (files). Extra arguments go to the
# test runner.
#
# Before it builds, it gathers what is missing (build tools, database servers) and installs
# it (as root, with apt-get) or stops with one message listing all of it and the command
# that installs it. Servers: $TEST_DATABASE_URL / $TEST_MYSQL_URL when set, else the local
# ones (127.0.0.1:5432 user postgres; 127.0.0.1:3306 root without a password), else
# throwaway servers started from the installed server binaries and removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/needs.sh
source scripts/lib/postgres.sh
source scripts/lib/mariadb.sh

need_build_tools
if ! PRISMIG_NEEDS_QUIET=1 ensure_postgres; then
    if [ -n "${TEST_DATABASE_URL:-}" ]; then
        need "the PostgreSQL server at TEST_DATABASE_URL, which does not accept connections" ""
    else
        need "a PostgreSQL server (or set TEST_DATABASE_URL=postgresql://USER@HOST:PORT/postgres)" postgresql
    fi
    pg_missing=1
fi
if ! PRISMIG_NEEDS_QUIET=1 ensure_mariadb; then
    need "a MySQL or MariaDB server (or set TEST_MYSQL_URL=mysql://USER:PASSWORD@HOST:PORT/mysql)" mariadb-server
    mysql_missing=1
fi
# Some tests start servers of their own (a PostgreSQL cluster with TLS and passwords, a
# MariaDB with latin1 defaults): they need the server binaries even when the shared servers
# are elsewhere.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    need "the PostgreSQL server binaries (initdb, pg_ctl), for tests that start a cluster of their own" postgresql
fi
if ! { command -v mariadb-install-db || command -v mysql_install_db; } >/dev/null 2>&1 \
    || ! { command -v mariadbd || command -v mysqld || [ -x /usr/sbin/mariadbd ] || [ -x /usr/sbin/mysqld ]; } >/dev/null 2>&1; then
    need "the MariaDB server binaries (mariadb-install-db, mariadbd), for tests that start a server of their own" mariadb-server
fi
provide_needs
# Servers just installed: start them (or throwaway ones).
if [ -n "${pg_missing:-}" ]; then ensure_postgres; fi
if [ -n "${mysql_missing:-}" ]; then ensure_mariadb; fi

export TEST_DATABASE_URL=$PG_URL
export TEST_MYSQL_URL=$MYSQL_URL
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --features mysql --profile "${NEXTEST_PROFILE:-default}" "$@"
else
    cargo test --features mysql "$@"
fi

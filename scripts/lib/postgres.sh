# Provides a PostgreSQL server for tests and examples, and sets PG_URL to a URL of an
# administrative database on it (sourced by scripts/test.sh and scripts/example.sh).
#
# Order: $TEST_DATABASE_URL when set; else the local server on 127.0.0.1:5432; else a
# throwaway cluster started with initdb/pg_ctl (removed on exit); else a clear failure.

pg_accepts() {
    # $1: URL. True when a connection succeeds.
    if command -v psql >/dev/null 2>&1; then
        psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1
    elif command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -d "$1"
    else
        (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
    fi
}

find_pg_bin() {
    # $1: program name. Prints its path (PATH first, then Debian's versioned folders).
    if command -v "$1" >/dev/null 2>&1; then
        command -v "$1"
        return 0
    fi
    local candidate
    for candidate in /usr/lib/postgresql/*/bin/"$1" /usr/local/pgsql/bin/"$1"; do
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

start_throwaway_cluster() {
    local initdb pg_ctl dir port run_as=()
    initdb=$(find_pg_bin initdb) || return 1
    pg_ctl=$(find_pg_bin pg_ctl) || return 1
    port=${PRISMIG_TEST_PG_PORT:-54329}
    dir=$(mktemp -d /tmp/prismig-pg.XXXXXX)
    if [ "$(id -u)" = 0 ]; then
        # initdb refuses to run as root.
        if id postgres >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
            chown postgres "$dir"
            run_as=(runuser -u postgres --)
        else
            echo "scripts: running as root without a 'postgres' user; cannot start a throwaway PostgreSQL cluster" >&2
            return 1
        fi
    fi
    echo "scripts: starting a throwaway PostgreSQL cluster in $dir on port $port" >&2
    "${run_as[@]}" "$initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null || return 1
    "${run_as[@]}" "$pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" -l "$dir/log" -w start >/dev/null || return 1
    PRISMIG_THROWAWAY_PG="$dir"
    PRISMIG_THROWAWAY_CTL=("${run_as[@]}" "$pg_ctl")
    trap 'stop_throwaway_cluster' EXIT
    PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
}

stop_throwaway_cluster() {
    if [ -n "${PRISMIG_THROWAWAY_PG:-}" ]; then
        "${PRISMIG_THROWAWAY_CTL[@]}" -D "$PRISMIG_THROWAWAY_PG/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$PRISMIG_THROWAWAY_PG"
    fi
}

ensure_postgres() {
    if [ -n "${TEST_DATABASE_URL:-}" ]; then
        if ! pg_accepts "$TEST_DATABASE_URL"; then
            [ -n "${PRISMIG_NEEDS_QUIET:-}" ] || echo "scripts: TEST_DATABASE_URL is set but its server does not accept connections" >&2
            return 1
        fi
        PG_URL=$TEST_DATABASE_URL
        return 0
    fi
    local local_url="postgresql://postgres@127.0.0.1:5432/postgres"
    if pg_accepts "$local_url"; then
        PG_URL=$local_url
        return 0
    fi
    if start_throwaway_cluster && pg_accepts "$PG_URL"; then
        return 0
    fi
    # scripts/test.sh lists every missing piece in one message of its own.
    [ -n "${PRISMIG_NEEDS_QUIET:-}" ] && return 1
    cat >&2 <<'MSG'
scripts: no PostgreSQL server is available, and none could be started.
  The tests need a real PostgreSQL (they never mock it). Either
  - set TEST_DATABASE_URL=postgresql://USER@HOST:PORT/postgres (a role that may CREATE DATABASE), or
  - run a local server on 127.0.0.1:5432 with user postgres (e.g. apt-get install postgresql), or
  - install the server binaries (initdb, pg_ctl) so a throwaway cluster can be started.
MSG
    return 1
}

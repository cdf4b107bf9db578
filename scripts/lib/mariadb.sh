# Provides a MySQL/MariaDB server for the tests and sets MYSQL_URL (a URL whose user may
# CREATE DATABASE). Sourced by scripts/test.sh.
#
# Order: $TEST_MYSQL_URL when set; else the local server on 127.0.0.1:3306 as root without
# a password; else a throwaway server (mariadb-install-db + mariadbd, removed on exit);
# else a clear failure.

mysql_accepts() {
    # $1 host, $2 port, $3 user. True when a connection succeeds.
    if command -v mariadb >/dev/null 2>&1; then
        mariadb -h "$1" -P "$2" -u "$3" -e 'SELECT 1' >/dev/null 2>&1
    elif command -v mysql >/dev/null 2>&1; then
        mysql -h "$1" -P "$2" -u "$3" -e 'SELECT 1' >/dev/null 2>&1
    else
        (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
    fi
}

launch_mariadb() {
    # $1 an empty folder, $2 a port, then more server options. Starts a MariaDB of its own
    # there (--no-defaults, root without a password, on 127.0.0.1) and sets
    # LAUNCHED_MARIADB_PID. True once it accepts connections; false when the server binaries
    # are missing or it does not start.
    local dir=$1 port=$2 install server user=() i
    shift 2
    install=$(command -v mariadb-install-db || command -v mysql_install_db) || return 1
    server=$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || command -v mysqld || ls /usr/sbin/mysqld 2>/dev/null) || return 1
    if [ "$(id -u)" = 0 ]; then
        id mysql >/dev/null 2>&1 || { echo "scripts: running as root without a 'mysql' user; cannot start a MariaDB" >&2; return 1; }
        chown -R mysql "$dir"
        user=(--user=mysql)
    fi
    "$install" --no-defaults "${user[@]}" --datadir="$dir/data" --auth-root-authentication-method=normal >/dev/null 2>&1 || return 1
    "$server" --no-defaults "${user[@]}" --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1 \
        --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --skip-log-bin --innodb-flush-log-at-trx-commit=0 \
        "$@" >"$dir/log" 2>&1 &
    LAUNCHED_MARIADB_PID=$!
    for i in $(seq 1 60); do
        mysql_accepts 127.0.0.1 "$port" root && return 0
        sleep 0.5
    done
    return 1
}

start_throwaway_mariadb() {
    local port=${PRISMIG_TEST_MYSQL_PORT:-33069} rc=0
    PRISMIG_THROWAWAY_MARIADB=$(mktemp -d /tmp/prismig-mariadb.XXXXXX)
    trap 'stop_throwaway_mariadb; stop_throwaway_cluster 2>/dev/null || true' EXIT
    echo "scripts: starting a throwaway MariaDB in $PRISMIG_THROWAWAY_MARIADB on port $port" >&2
    launch_mariadb "$PRISMIG_THROWAWAY_MARIADB" "$port" || rc=$?
    PRISMIG_THROWAWAY_MARIADB_PID=${LAUNCHED_MARIADB_PID:-}
    MYSQL_URL="mysql://root@127.0.0.1:$port/mysql"
    return "$rc"
}

stop_throwaway_mariadb() {
    if [ -n "${PRISMIG_THROWAWAY_MARIADB:-}" ]; then
        kill "$PRISMIG_THROWAWAY_MARIADB_PID" 2>/dev/null || true
        wait "$PRISMIG_THROWAWAY_MARIADB_PID" 2>/dev/null || true
        rm -rf "$PRISMIG_THROWAWAY_MARIADB"
    fi
}

ensure_mariadb() {
    if [ -n "${TEST_MYSQL_URL:-}" ]; then
        MYSQL_URL=$TEST_MYSQL_URL
        return 0
    fi
    if mysql_accepts 127.0.0.1 3306 root; then
        MYSQL_URL="mysql://root@127.0.0.1:3306/mysql"
        return 0
    fi
    if start_throwaway_mariadb; then
        return 0
    fi
    # scripts/test.sh lists every missing piece in one message of its own.
    [ -n "${PRISMIG_NEEDS_QUIET:-}" ] && return 1
    cat >&2 <<'MSG'
scripts: no MySQL/MariaDB server is available, and none could be started.
  The MySQL tests need a real server. Either
  - set TEST_MYSQL_URL=mysql://USER:PASSWORD@HOST:PORT/mysql (a user that may CREATE DATABASE), or
  - run a local server on 127.0.0.1:3306 with user root and no password (e.g. apt-get install mariadb-server), or
  - install the server binaries (mariadb-install-db, mariadbd) so a throwaway server can be started.
MSG
    return 1
}

mysql_sql() {
    # $1 URL (mysql://user[:pass]@host[:port][/…]), $2 statement: prints the result rows,
    # tab-separated, without a header. No database is selected: statements name theirs. The
    # password goes in the environment, never on the command line.
    local rest creds hostport user pass="" host port client
    rest=${1#mysql://}
    creds=${rest%%@*}
    hostport=${rest#*@}
    hostport=${hostport%%/*}
    user=${creds%%:*}
    [ "$creds" != "$user" ] && pass=${creds#*:}
    host=${hostport%%:*}
    port=${hostport#*:}
    [ "$port" = "$hostport" ] && port=3306
    client=$(command -v mariadb || command -v mysql) || return 1
    MYSQL_PWD=$pass "$client" -h "$host" -P "$port" -u "$user" -N -B -e "$2"
}

mysql_drop_database() {
    # $1 database name, dropped on the server of $MYSQL_URL (nothing when no client is
    # installed).
    mysql_sql "$MYSQL_URL" "DROP DATABASE IF EXISTS \`$1\`" >/dev/null 2>&1 || true
}

#!/usr/bin/env bash
# Proves the shipped binary is self-contained and serves all three providers: no shared
# library at all (so no libpq, libssl, libsqlite3 or libmysqlclient), stripped size within
# 14 MiB, OpenSSL built with threads, THIRD-PARTY-NOTICES names what is inside, and
# `migrate deploy` / `migrate status` work against the local PostgreSQL, the local
# MySQL/MariaDB and a SQLite file from an empty root filesystem holding only the binary, CA
# certificates and /etc/hosts (chroot as root, else an unprivileged user namespace); then
# fleets over TLS on 4 threads (PostgreSQL and MySQL) and SIGINT during a MySQL script over
# TLS (KILL QUERY from the signal thread).
# PRISMIG_BIN=path checks that binary instead of building one with scripts/build-static.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
source scripts/lib/mariadb.sh
ensure_postgres
ensure_mariadb
bin=${PRISMIG_BIN:-$(scripts/build-static.sh)}
size=$(stat -c %s "$bin")
# The aim: 14 MiB stripped. 12.8 MiB (13,416,992 bytes) with the MySQL client library built
# with only the collations a utf8mb4 client can select (README, Building, has the parts).
limit=$((14 * 1048576))
echo "check-static: $bin, $size bytes ($(awk "BEGIN { printf \"%.2f\", $size / 1048576 }") MiB, stripped)"
too_big=""
[ "$size" -gt "$limit" ] && too_big=1
if ldd "$bin" >/dev/null 2>&1 && ldd "$bin" 2>&1 | grep -q '=>'; then
    echo "check-static: $bin links shared libraries:" >&2
    ldd "$bin" >&2
    exit 1
fi
echo "check-static: ldd: $(ldd "$bin" 2>&1 | head -1 | xargs)"
# The MySQL client library is inside (its version string is compiled in), and the notices
# shipped beside the binary name it.
grep -aq 'caching_sha2_password' "$bin" || { echo "check-static: no MySQL client library in $bin" >&2; exit 1; }
for component in "MySQL client library" "Universal FOSS Exception" "libpq" "OpenSSL" "SQLite"; do
    grep -q "$component" THIRD-PARTY-NOTICES || { echo "check-static: THIRD-PARTY-NOTICES does not name $component" >&2; exit 1; }
done

# OpenSSL keeps its compile flags in the binary (`openssl version -f`); built with thread
# support they hold -pthread. cc's `-static` (from a crt-static RUSTFLAGS) makes OpenSSL's
# Configure drop threads: scripts/build-static.sh keeps crt-static to the final link.
openssl_flags=$(grep -ao 'compiler: [[:print:]]*' "$bin" | head -1)
echo "check-static: OpenSSL $openssl_flags"
case " $openssl_flags " in
    *" -pthread "*) ;;
    *) echo "check-static: FAIL OpenSSL in $bin is built without thread support" >&2; exit 1 ;;
esac

root=$(mktemp -d /tmp/prismig-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/ssl/certs" "$root/app/prisma/migrations/20240101000000_init" \
    "$root/app/mysql/migrations/20240101000000_init" "$root/app/sqlite/migrations/20240101000000_init"
cp "$bin" "$root/prismig"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"
printf 'CREATE TABLE "User" ("id" TEXT PRIMARY KEY);\n' > "$root/app/prisma/migrations/20240101000000_init/migration.sql"
printf 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n' > "$root/app/prisma/schema.prisma"
printf 'CREATE TABLE `User` (`id` VARCHAR(191) NOT NULL, PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4;\n' > "$root/app/mysql/migrations/20240101000000_init/migration.sql"
printf 'datasource db {\n  provider = "mysql"\n  url      = env("DATABASE_URL")\n}\n' > "$root/app/mysql/schema.prisma"
printf 'CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY);\n' > "$root/app/sqlite/migrations/20240101000000_init/migration.sql"
printf 'datasource db {\n  provider = "sqlite"\n  url      = "file:./dev.db"\n}\n' > "$root/app/sqlite/schema.prisma"
printf 'provider = "postgresql"\n' > "$root/app/prisma/migrations/migration_lock.toml"
printf 'provider = "mysql"\n' > "$root/app/mysql/migrations/migration_lock.toml"
printf 'provider = "sqlite"\n' > "$root/app/sqlite/migrations/migration_lock.toml"
chmod -R a+rwX "$root/app"
find "$root" -type f | sed "s|$root||" | sort | sed 's/^/check-static: root holds /'

db="prismig_static_$$"
pg_url="${PG_URL%/*}/$db"
pg_url="${pg_url/127.0.0.1/localhost}"
# MySQL's client reads "localhost" as its Unix socket: the address keeps it on TCP.
my_url="${MYSQL_URL%/*}/$db"
my_url="${my_url/localhost/127.0.0.1}"
run_in_root() {
    if [ "$(id -u)" = 0 ]; then
        chroot "$root" /prismig "$@"
    else
        unshare -r chroot "$root" /prismig "$@"
    fi
}
cleanup() {
    psql -X -q "$PG_URL" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true
    mysql_drop_database "$db"
    [ -n "${tls_url:-}" ] && for i in $(seq -w 1 12); do mysql_sql "$tls_url/mysql" "DROP DATABASE IF EXISTS \`${db}_tls_$i\`" 2>/dev/null; done
    rm -rf "$root"
}
trap cleanup EXIT
passed=0
for provider in postgresql mysql sqlite; do
    case $provider in
        postgresql) url=$pg_url; schema=/app/prisma/schema.prisma ;;
        mysql) url=$my_url; schema=/app/mysql/schema.prisma ;;
        sqlite) url=; schema=/app/sqlite/schema.prisma ;;
    esac
    out=$(cd "$root" && DATABASE_URL="$url" run_in_root migrate deploy --schema "$schema" 2>&1) || { echo "$out" >&2; exit 1; }
    echo "$out" | sed "s/^/check-static: $provider deploy | /"
    echo "$out" | grep -q 'All migrations have been successfully applied.'
    out=$(cd "$root" && DATABASE_URL="$url" run_in_root migrate status --schema "$schema" 2>&1) || { echo "$out" >&2; exit 1; }
    echo "$out" | sed "s/^/check-static: $provider status | /"
    echo "$out" | grep -q 'Database schema is up to date!'
    passed=$((passed + 1))
done
# A fleet: many TLS sessions at once on 4 threads (the server offers TLS, so sslmode=prefer
# takes it). An OpenSSL built without thread support crashes here (heap corruption).
fleet_schemas=60
seq 1 "$fleet_schemas" | awk '{printf "CREATE SCHEMA t_%02d;\n", $1}' | psql -X -q "$pg_url" >/dev/null
out=$(cd "$root" && DATABASE_URL="$pg_url" run_in_root migrate deploy --schema /app/prisma/schema.prisma --schemas 't_*' --jobs 4 2>&1) || { echo "$out" | tail -n 20 >&2; echo "check-static: FAIL the fleet of $fleet_schemas schemas" >&2; exit 1; }
echo "$out" | grep -v '^\[' | sed "s/^/check-static: postgresql fleet | /"
rows=$(psql -X -Atq "$pg_url" -c "SELECT count(*) FROM pg_namespace n WHERE nspname LIKE 't\_%' AND to_regclass(format('%I._prisma_migrations', nspname)) IS NOT NULL")
[ "$rows" = "$fleet_schemas" ] || { echo "check-static: FAIL the fleet left $rows of $fleet_schemas schemas migrated" >&2; exit 1; }
passed=$((passed + 1))

# MySQL over TLS, where the MySQL client and OpenSSL share threads: the server of MYSQL_URL
# when it offers TLS (MariaDB 11.4 and MySQL 8 do by default), else a throwaway MariaDB with
# a self-signed certificate.
tls_url=
if [ "$(mysql_sql "$my_url" "SELECT @@have_ssl" 2>/dev/null)" = YES ]; then
    tls_url=${my_url%/*}
else
    tls_dir=$(mktemp -d /tmp/prismig-tls-mariadb.XXXXXX)
    tls_port=${PRISMIG_TLS_MYSQL_PORT:-33071}
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
        -keyout "$tls_dir/key.pem" -out "$tls_dir/cert.pem" >/dev/null 2>&1
    cleanup_tls() {
        kill "${LAUNCHED_MARIADB_PID:-}" 2>/dev/null || true
        wait "${LAUNCHED_MARIADB_PID:-}" 2>/dev/null || true
        rm -rf "$tls_dir"
    }
    trap 'cleanup; cleanup_tls' EXIT
    launch_mariadb "$tls_dir" "$tls_port" --ssl-cert="$tls_dir/cert.pem" --ssl-key="$tls_dir/key.pem" \
        && tls_url="mysql://root@127.0.0.1:$tls_port"
fi
if [ -z "$tls_url" ] || [ "$(mysql_sql "$tls_url/mysql" "SELECT @@have_ssl" 2>/dev/null)" != YES ]; then
    echo "check-static: FAIL no MySQL/MariaDB server with TLS: the server of $MYSQL_URL has none, and" >&2
    echo "  no throwaway one could be started (needs mariadb-install-db, mariadbd and openssl:" >&2
    echo "  apt-get install mariadb-server openssl)" >&2
    exit 1
fi
tls_accepts() { mysql_sql "$tls_url/mysql" "SHOW GLOBAL STATUS LIKE 'Ssl_accepts'" | awk '{ print $2 }'; }
# (1) A fleet of 12 databases with 4 jobs: Diesel's and the script session's TLS connections
# on four threads at once.
for i in $(seq -w 1 12); do mysql_sql "$tls_url/mysql" "CREATE DATABASE \`${db}_tls_$i\`"; done
before=$(tls_accepts)
out=$(cd "$root" && DATABASE_URL="$tls_url/mysql" run_in_root migrate deploy --schema /app/mysql/schema.prisma --schemas "${db}_tls_*" --jobs 4 2>&1) \
    || { echo "$out" | tail -n 20 >&2; echo "check-static: FAIL the MySQL fleet over TLS" >&2; exit 1; }
echo "$out" | grep -v '^\[' | tail -n 2 | sed "s/^/check-static: mysql fleet over TLS | /"
rows=$(mysql_sql "$tls_url/mysql" "SELECT count(*) FROM information_schema.tables WHERE table_schema LIKE '${db}\\_tls\\_%' AND table_name = '_prisma_migrations'")
tls_sessions=$(( $(tls_accepts) - before ))
echo "check-static: mysql fleet over TLS | $rows of 12 databases migrated, $tls_sessions TLS sessions accepted"
[ "$rows" = 12 ] && [ "$tls_sessions" -ge 24 ] || { echo "check-static: FAIL the MySQL fleet over TLS" >&2; exit 1; }
passed=$((passed + 1))
# Text outside ASCII arrives as written: the client's utf8mb4 (its only character set that
# prismig selects, see scripts/patches/) carries it byte for byte.
mkdir -p "$root/app/mysql/migrations/20240101120000_text"
printf "INSERT INTO \`User\` (\`id\`) VALUES ('Zo\xc3\xab \xf0\x9f\x98\x80 \xe6\x97\xa5\xe6\x9c\xac');\n" \
    > "$root/app/mysql/migrations/20240101120000_text/migration.sql"
chmod -R a+rwX "$root/app/mysql"
out=$(cd "$root" && DATABASE_URL="$tls_url/${db}_tls_02" run_in_root migrate deploy --schema /app/mysql/schema.prisma 2>&1) \
    || { echo "$out" >&2; echo "check-static: FAIL the MySQL text migration" >&2; exit 1; }
text=$(mysql_sql "$tls_url/mysql" "SELECT HEX(id) FROM \`${db}_tls_02\`.\`User\`")
echo "check-static: mysql text over TLS | stored $text"
[ "$text" = 5A6FC3AB20F09F988020E697A5E69CAC ] || { echo "check-static: FAIL the text was changed on its way" >&2; exit 1; }
passed=$((passed + 1))
# (2) SIGINT during a script: KILL QUERY goes out on a second TLS connection, opened by the
# signal thread while the script session's TLS connection waits on the server. Exit 130,
# the statement gone from the server, the migration failed.
mkdir -p "$root/app/mysql/migrations/20240102000000_sleep"
printf 'SELECT SLEEP(60);\n' > "$root/app/mysql/migrations/20240102000000_sleep/migration.sql"
chmod -R a+rwX "$root/app/mysql"
as_user=(); [ "$(id -u)" = 0 ] || as_user=(unshare -r)
# exec all the way down (unshare and chroot exec too): the signal goes to prismig itself.
(cd "$root" && DATABASE_URL="$tls_url/${db}_tls_01" exec "${as_user[@]}" chroot "$root" /prismig migrate deploy --schema /app/mysql/schema.prisma) >"$root/sigint.out" 2>&1 &
deploy_pid=$!
for _ in $(seq 1 100); do
    [ "$(mysql_sql "$tls_url/mysql" "SELECT count(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(60)%'")" = 1 ] && break
    sleep 0.1
done
kill -INT "$deploy_pid"
started=$SECONDS
rc=0; wait "$deploy_pid" || rc=$?
left=$(mysql_sql "$tls_url/mysql" "SELECT count(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(60)%'")
state=$(mysql_sql "$tls_url/mysql" "SELECT finished_at IS NULL AND rolled_back_at IS NULL FROM \`${db}_tls_01\`._prisma_migrations WHERE migration_name = '20240102000000_sleep'")
echo "check-static: mysql SIGINT over TLS | exit $rc after $((SECONDS - started)) s, statements left $left, row unfinished $state"
[ "$rc" = 130 ] && [ "$left" = 0 ] && [ "$state" = 1 ] && [ $((SECONDS - started)) -lt 20 ] \
    || { cat "$root/sigint.out" >&2; echo "check-static: FAIL SIGINT over TLS" >&2; exit 1; }
passed=$((passed + 1))
if [ -n "$too_big" ]; then
    echo "check-static: FAIL $bin is $size bytes, more than 14 MiB ($limit)" >&2
    echo "check-static: $passed passed, 1 failed"
    exit 1
fi
passed=$((passed + 1))
echo "check-static: $passed passed, 0 failed"

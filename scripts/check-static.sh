#!/usr/bin/env bash
# Proves the shipped binary is self-contained and serves all three providers: no shared
# library at all (so no libpq, libssl, libsqlite3 or libmysqlclient), stripped size within
# 14 MiB, OpenSSL built with threads, THIRD-PARTY-NOTICES names what is inside, and `migrate deploy` / `migrate status`
# work against the local PostgreSQL, the local MySQL/MariaDB and a SQLite file from an empty
# root filesystem holding only the binary, CA certificates and /etc/hosts (chroot as root,
# else an unprivileged user namespace).
# PRISMIG_BIN=path checks that binary instead of building one with scripts/build-static.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
source scripts/lib/mariadb.sh
ensure_postgres
ensure_mariadb
bin=${PRISMIG_BIN:-$(scripts/build-static.sh)}
size=$(stat -c %s "$bin")
# The aim: 14 MiB stripped. 12.8 MiB (13,416,320 bytes) with the MySQL client library built
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
if [ -n "$too_big" ]; then
    echo "check-static: FAIL $bin is $size bytes, more than 14 MiB ($limit)" >&2
    echo "check-static: $passed passed, 1 failed"
    exit 1
fi
passed=$((passed + 1))
echo "check-static: $passed passed, 0 failed"

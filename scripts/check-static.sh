#!/usr/bin/env bash
# Proves the shipped binary is self-contained: no shared library at all (so no libpq,
# libssl or libsqlite3), and `migrate deploy` / `migrate status` work against the local
# PostgreSQL from an empty root filesystem holding only the binary, CA certificates and
# /etc/hosts (chroot as root, else an unprivileged user namespace).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
ensure_postgres
bin=$(scripts/build-static.sh)
size=$(stat -c %s "$bin")
echo "check-static: $bin, $size bytes ($(awk "BEGIN { printf \"%.2f\", $size / 1048576 }") MiB, stripped)"
if ldd "$bin" >/dev/null 2>&1 && ldd "$bin" 2>&1 | grep -q '=>'; then
    echo "check-static: $bin links shared libraries:" >&2
    ldd "$bin" >&2
    exit 1
fi
echo "check-static: ldd: $(ldd "$bin" 2>&1 | head -1 | xargs)"

root=$(mktemp -d /tmp/prismig-root.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/ssl/certs" "$root/app/prisma/migrations/20240101000000_init"
cp "$bin" "$root/prismig"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"
printf 'CREATE TABLE "User" ("id" TEXT PRIMARY KEY);\n' > "$root/app/prisma/migrations/20240101000000_init/migration.sql"
printf 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n' > "$root/app/prisma/schema.prisma"
find "$root" -type f | sed "s|$root||" | sort | sed 's/^/check-static: root holds /'

db="prismig_static_$$"
url="${PG_URL%/*}/$db"
url="${url/127.0.0.1/localhost}"
run_in_root() {
    if [ "$(id -u)" = 0 ]; then
        chroot "$root" /prismig "$@"
    else
        unshare -r chroot "$root" /prismig "$@"
    fi
}
cleanup_db() { psql -X -q "$PG_URL" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; }
trap 'cleanup_db; rm -rf "$root"' EXIT
out=$(cd "$root" && DATABASE_URL="$url" run_in_root migrate deploy --schema /app/prisma/schema.prisma 2>&1) || { echo "$out" >&2; exit 1; }
echo "$out" | sed 's/^/check-static: deploy | /'
out=$(cd "$root" && DATABASE_URL="$url" run_in_root migrate status --schema /app/prisma/schema.prisma 2>&1) || { echo "$out" >&2; exit 1; }
echo "$out" | sed 's/^/check-static: status | /'
echo "$out" | grep -q 'Database schema is up to date!'
echo "check-static: 1 passed, 0 failed"

#!/usr/bin/env bash
# End to end through npm, as the README's route from the repository: `npm pack` works on the
# package.json files in the tree (the launcher alone, as from a clean clone), then
# scripts/npm-pack.sh packs the launcher and this machine's platform package with the static
# binary; both tarballs install offline with --ignore-scripts into a temporary project whose
# package.json holds the seed pipeline's scripts rewritten for prismig, and
# `npm run db:deploy` / `npm run db:status` work against the local PostgreSQL, then
# `npx prismig migrate deploy` against the local MySQL/MariaDB.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
source scripts/lib/mariadb.sh
ensure_postgres
ensure_mariadb
command -v npm >/dev/null || { echo "check-npm: npm is needed" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
root=$(pwd)
app=$(mktemp -d /tmp/prismig-npm.XXXXXX)
db="prismig_npm_$$"
trap 'psql -X -q "$PG_URL" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; mysql_drop_database "$db"; rm -rf "$app"' EXIT

# The launcher packs straight from the tree: only tracked files, nothing generated first.
(cd "$app" && npm pack --silent "$root/npm/prismig" >/dev/null && tar tzf "prismig-$version.tgz") > "$app/launcher.list"
for f in package/package.json package/bin/prismig.js package/README.md package/LICENSE-MIT package/LICENSE-APACHE; do
    grep -qx "$f" "$app/launcher.list" || { echo "check-npm: npm pack npm/prismig lacks $f" >&2; exit 1; }
done
rm -f "$app/launcher.list" "$app/prismig-$version.tgz"

# PRISMIG_BIN=path packs that binary instead of building one with scripts/build-static.sh.
if [ -n "${PRISMIG_BIN:-}" ]; then
    scripts/npm-pack.sh "linux-x64-gnu=$PRISMIG_BIN" >/dev/null
else
    scripts/npm-pack.sh >/dev/null
fi
platform_tgz="dist/npm/prismig-linux-x64-gnu-$version.tgz"
listing=$(tar tzf "$platform_tgz")
for f in package/bin/prismig package/THIRD-PARTY-NOTICES package/LICENSE-MIT package/LICENSE-APACHE package/package.json; do
    grep -qx "$f" <<< "$listing" || { echo "check-npm: $platform_tgz lacks $f" >&2; exit 1; }
done
cp -r prisma "$app/prisma"
rm -rf "$app/prisma/sqlite"
cat > "$app/package.json" <<'JSON'
{
  "name": "seed-pipeline",
  "private": true,
  "scripts": {
    "db:status": "prismig migrate status",
    "db:deploy": "prismig migrate deploy",
    "db:deploy:prod": "prismig migrate deploy --url \"$PROD_DATABASE_URL\"",
    "db:migrate:deploy": "prismig migrate deploy",
    "db:migrate:status": "prismig migrate status"
  }
}
JSON
cd "$app"
npm install --offline --ignore-scripts --no-audit --no-fund --loglevel=error \
    "$root/dist/npm/prismig-linux-x64-gnu-$version.tgz" "$root/dist/npm/prismig-$version.tgz"
export DATABASE_URL="${PG_URL%/*}/$db"
npm run --silent db:deploy | tee deploy.out
grep -q 'All migrations have been successfully applied.' deploy.out
npm run --silent db:status | tee status.out
grep -q 'Database schema is up to date!' status.out
PROD_DATABASE_URL=$DATABASE_URL npm run --silent db:deploy:prod | grep -q 'No pending migrations to apply.'
npx --no-install prismig --version
# The same package serves MySQL/MariaDB (TCP address: "localhost" means the socket to MySQL's client).
mkdir -p mysql/migrations/20240101000000_init
printf 'datasource db {\n  provider = "mysql"\n  url      = env("DATABASE_URL")\n}\n' > mysql/schema.prisma
printf 'provider = "mysql"\n' > mysql/migrations/migration_lock.toml
printf 'CREATE TABLE `User` (`id` VARCHAR(191) NOT NULL, PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4;\n' > mysql/migrations/20240101000000_init/migration.sql
my_url="${MYSQL_URL%/*}/$db"
DATABASE_URL="${my_url/localhost/127.0.0.1}" npx --no-install prismig migrate deploy --schema mysql/schema.prisma | tee mysql.out
grep -q 'All migrations have been successfully applied.' mysql.out
echo "check-npm: 2 passed, 0 failed"

#!/usr/bin/env bash
# End to end through npm: packs the launcher and the linux-x64 package from the static
# binary, installs both tarballs offline with --ignore-scripts into a temporary project whose
# package.json holds the seed pipeline's scripts rewritten for prismig, and runs
# `npm run db:deploy` and `npm run db:status` against the local PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
ensure_postgres
command -v npm >/dev/null || { echo "check-npm: npm is needed" >&2; exit 1; }
bin=$(scripts/build-static.sh)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
scripts/npm-pack.sh "$version" "linux-x64-gnu=$bin" >/dev/null
root=$(pwd)
app=$(mktemp -d /tmp/prismig-npm.XXXXXX)
db="prismig_npm_$$"
trap 'psql -X -q "$PG_URL" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; rm -rf "$app"' EXIT
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
echo "check-npm: 1 passed, 0 failed"

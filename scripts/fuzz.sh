#!/usr/bin/env bash
# Runs the fuzz targets (tests/fuzz, proptest over the corpora in tests/fuzz/corpus) for a
# bounded time: FUZZ_CASES cases per target (default 20000), one run of at most
# FUZZ_SECONDS (default 600). Failures are shrunk and saved by proptest under
# tests/fuzz/proptest-regressions, which is kept in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_CASES=${FUZZ_CASES:-20000}
timeout "${FUZZ_SECONDS:-600}" cargo test --release --test fuzz -- --test-threads 2

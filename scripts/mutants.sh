#!/usr/bin/env bash
# Mutation testing of the pure modules with the library's unit tests only (no database):
# cargo-mutants changes one thing at a time (an operator, a return value, a condition) and
# checks that some unit test fails. Each module gets its own run and output folder; a
# summary per module follows. Slow (one incremental build per mutant): not part of CI.
#
#   scripts/mutants.sh                      # every listed module
#   scripts/mutants.sh src/dburl.rs ...     # some modules
#   MUTANTS_TIMEOUT=120 scripts/mutants.sh  # per-mutant test timeout, seconds
#   scripts/mutants.sh --summary            # the table of the last runs only
#   MUTANTS_ARGS='--baseline=skip' scripts/mutants.sh ...   # more cargo-mutants options
#
# Needs `cargo install cargo-mutants --locked` (25 or later).
set -euo pipefail
cd "$(dirname "$0")/.."

# Modules without I/O whose decisions unit tests can check.
MODULES=(
    src/dburl.rs
    src/config/env.rs
    src/config/schema.rs
    src/config/prisma_config.rs
    src/migration/statements.rs
    src/reconcile.rs
    src/migration/checksum.rs
    src/migration/lockfile.rs
    src/migration/collation.rs
    src/migration/objects.rs
    src/shell.rs
    src/db/pg_error.rs
    src/history/record.rs
)

OUT=target/mutants-out
# Its own target folder: the mutated copies build there, warm from one run to the next,
# and the main build is never invalidated.
export CARGO_TARGET_DIR=$PWD/target/mutants
# A result must not depend on saved regressions or on a random draw.
export PROPTEST_DISABLE_FAILURE_PERSISTENCE=1
export PROPTEST_RNG_SEED=20
export PROPTEST_CASES=64
# A mutant can loop while allocating: test binaries run with bounded memory.
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER=$PWD/scripts/lib/mutants-runner.sh

slug() { echo "${1#src/}" | tr '/' '_' | sed 's/\.rs$//'; }

summary() {
    printf '%-30s %7s %7s %7s %8s %9s %8s\n' module mutants caught missed timeouts unviable caught%
    local m dir caught missed timeout unviable viable
    for m in "${MODULES[@]}"; do
        dir=$OUT/$(slug "$m")/mutants.out
        [ -d "$dir" ] || continue
        count() {
            if [ -f "$dir/$1.txt" ]; then awk 'NF { n++ } END { print n + 0 }' "$dir/$1.txt"; else echo 0; fi
        }
        caught=$(count caught)
        missed=$(count missed)
        timeout=$(count timeout)
        unviable=$(count unviable)
        viable=$((caught + missed + timeout))
        printf '%-30s %7d %7d %7d %8d %9d %8s\n' "$m" $((viable + unviable)) "$caught" \
            "$missed" "$timeout" "$unviable" \
            "$([ "$viable" -gt 0 ] && echo "$((100 * caught / viable))%" || echo -)"
    done
}

if [ "${1:-}" = --summary ]; then
    [ $# -gt 1 ] && MODULES=("${@:2}")
    summary
    exit 0
fi
[ $# -gt 0 ] && MODULES=("$@")

if [ ! -d "$CARGO_TARGET_DIR" ] && [ -d target/debug ]; then
    # Start from the warm main build, times kept (else cargo rebuilds every dependency).
    mkdir -p "$CARGO_TARGET_DIR"
    cp -a target/debug "$CARGO_TARGET_DIR/"
fi

for m in "${MODULES[@]}"; do
    mkdir -p "$OUT/$(slug "$m")"
    echo "== $m" >&2
    # Exit code 2 means missed mutants, 3 timeouts: the summary reports them. `--lib` goes to
    # every cargo call, the build too: a mutant rebuilds only the unit-test binary, not the
    # CLI and the integration tests (which this run never starts).
    rc=0
    nice -n 19 cargo mutants --features mysql --test-tool=cargo \
        --file "$m" --timeout "${MUTANTS_TIMEOUT:-180}" --build-timeout 900 \
        --output "$OUT/$(slug "$m")" --no-shuffle --jobs 1 --colors never --cargo-arg=--lib \
        ${MUTANTS_ARGS:-} || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ] && [ "$rc" -ne 3 ]; then
        echo "cargo mutants failed on $m (exit $rc)" >&2
        exit "$rc"
    fi
done
summary

#!/usr/bin/env bash
# Runs a test binary with bounded memory (cargo's target runner, set by scripts/mutants.sh):
# a mutant that loops while allocating fails fast instead of exhausting the machine.
ulimit -v "${MUTANTS_MEMORY_KB:-4194304}"
exec "$@"

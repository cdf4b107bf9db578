#!/usr/bin/env bash
# The wrappers around prismig pass signals on: the npm launcher (npm/prismig/bin/prismig.js)
# and scripts/deploy-migrations.sh, each sent SIGTERM (or SIGINT, SIGHUP) on its own pid, as
# CI does when it cancels a job. prismig (a stand-in that records the signal it gets) must
# receive the same signal, and the wrapper must exit with prismig's code (143 for SIGTERM)
# once prismig has exited, not before and not with a code of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
# A shell started with SIGINT or SIGQUIT ignored (a background job of a non-interactive shell,
# nohup) can neither trap nor reset them, nor can the wrappers it starts: the SIGINT cases
# would then fail for the way this check was started. Start again with the defaults.
if [ -z "${PRISMIG_SIGNALS_RESET:-}" ] && [ -r /proc/$$/status ] \
    && (( 0x$(awk '/^SigIgn:/ { print $2 }' /proc/$$/status) & 6 )); then
    PRISMIG_SIGNALS_RESET=1 exec env --default-signal=INT,QUIT "$PWD/scripts/check-signals.sh" "$@"
fi
command -v node >/dev/null || { echo "check-signals: node is needed" >&2; exit 1; }
work=$(mktemp -d /tmp/prismig-signals.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
fail() { echo "check-signals: FAIL $*" >&2; failed=$((failed + 1)); }

# The stand-in: `migrate status` says "pending" (exit 2) at once; anything else waits for a
# signal, writes its name to $MARK and exits 128 + its number (or, with NO_TRAP, dies of it).
cat > "$work/prismig" <<'SH'
#!/usr/bin/env bash
if [ "${1:-} ${2:-}" = "migrate status" ]; then exit 2; fi
if [ -z "${NO_TRAP:-}" ]; then
    trap 'echo TERM > "$MARK"; exit 143' TERM
    trap 'echo INT > "$MARK"; exit 130' INT
    trap 'echo HUP > "$MARK"; exit 129' HUP
fi
echo "$$" > "$MARK.ready"
for _ in $(seq 1 200); do sleep 0.05; done
echo timeout > "$MARK"
exit 99
SH
chmod 755 "$work/prismig"

# $1 name, $2 signal, $3 expected exit code, $4 expected mark; the command follows.
expect() {
    local name=$1 signal=$2 want=$3 want_mark=$4
    shift 4
    rm -f "$work/mark" "$work/mark.ready"
    # Started as a CI runner starts it: a plain background job here would ignore SIGINT.
    (trap - INT QUIT; MARK="$work/mark" exec "$@") >"$work/out" 2>&1 &
    local pid=$!
    for _ in $(seq 1 100); do [ -f "$work/mark.ready" ] && break; sleep 0.05; done
    if [ ! -f "$work/mark.ready" ]; then
        fail "$name: prismig was never started"; kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; return
    fi
    kill "-$signal" "$pid"
    local rc=0
    wait "$pid" || rc=$?
    local mark
    mark=$(cat "$work/mark" 2>/dev/null || echo none)
    if [ "$rc" != "$want" ] || [ "$mark" != "$want_mark" ]; then
        fail "$name: exit code $rc (want $want), prismig got $mark (want $want_mark)"
        sed 's/^/  | /' "$work/out" >&2
        return
    fi
    # The wrapper must have waited for prismig: nothing of it may still run.
    if kill -0 "$(cat "$work/mark.ready")" 2>/dev/null; then
        fail "$name: prismig still runs after the wrapper exited"
        return
    fi
    echo "check-signals: ok $name: exit $rc, prismig got SIG$mark"
    passed=$((passed + 1))
}

launcher=(node npm/prismig/bin/prismig.js migrate deploy)
export PRISMIG_BINARY="$work/prismig"
expect "launcher SIGTERM" TERM 143 TERM "${launcher[@]}"
expect "launcher SIGINT" INT 130 INT "${launcher[@]}"
expect "launcher SIGHUP" HUP 129 HUP "${launcher[@]}"
NO_TRAP=1 expect "launcher SIGTERM, prismig killed by it" TERM 143 none "${launcher[@]}"
unset PRISMIG_BINARY

# Exit codes pass through unchanged.
rc=0
PRISMIG_BINARY=/bin/false node npm/prismig/bin/prismig.js >/dev/null 2>&1 || rc=$?
if [ "$rc" = 1 ]; then passed=$((passed + 1)); echo "check-signals: ok launcher exit code 1 passed through"; else fail "launcher: exit code $rc for /bin/false"; fi

deploy=(env PRISMIG="$work/prismig" DATABASE_URL=postgresql://unused@127.0.0.1:1/x BACKUP_DIR="$work/backups"
    scripts/deploy-migrations.sh development deploy)
expect "deploy-migrations.sh SIGTERM" TERM 143 TERM "${deploy[@]}"
expect "deploy-migrations.sh SIGINT" INT 130 INT "${deploy[@]}"
if grep -q 'deploy done\|deploy failed' "$work/out"; then
    fail "deploy-migrations.sh went on after the signal"
else
    passed=$((passed + 1)); echo "check-signals: ok deploy-migrations.sh stops after the signal"
fi

echo "check-signals: $passed passed, $failed failed"
[ "$failed" = 0 ]

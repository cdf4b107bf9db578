#!/usr/bin/env bash
# The seed pipeline's deploy script, on prismig:
#   scripts/deploy-migrations.sh <environment> [deploy|status]
# environment: development|dev|staging (DEV_DATABASE_URL, else DATABASE_URL) or
# production|prod (PROD_DATABASE_URL, else DATABASE_URL).
# Steps: check the connection, show the status, back up (production), deploy, show the
# status again. Timestamped lines; ✅ ⚠️ ❌ on a terminal.
# Exit codes: 0 done; 2 usage; 3 no database URL or connection; 4 failed migrations in the
# database (resolve first); 5 deploy failed; 6 not up to date after deploy;
# status only: prismig's detailed codes (0 up to date, 2 pending, 3 failed, 4 diverged, 5 unmanaged).
# PRISMIG points at the binary (default: prismig on the PATH); extra prismig flags in
# PRISMIG_ARGS (for example "--schema db/schema.prisma"); BACKUP_DIR (default backups).
set -uo pipefail

usage() { echo "usage: $0 <development|production> [deploy|status]" >&2; exit 2; }
[ $# -ge 1 ] || usage
environment=$1
action=${2:-deploy}
prismig=${PRISMIG:-prismig}
read -r -a extra <<< "${PRISMIG_ARGS:-}"

if [ -t 1 ]; then ok="✅ "; warn="⚠️ "; bad="❌ "; else ok=""; warn=""; bad=""; fi

# prismig runs in the background so that a signal sent to this script alone (CI cancelling
# the job, `kill`) reaches it: bash runs no trap while it waits for a foreground command.
# prismig then cancels the statement in flight and records it, and this script exits with
# prismig's code (130, 143) instead of going on to the next step.
child=""
signalled=""
forward() {
    signalled=$1
    [ -n "$child" ] && kill "-$1" "$child" 2>/dev/null
    return 0
}
trap 'forward INT' INT
trap 'forward TERM' TERM
trap 'forward HUP' HUP
run_prismig() {
    # A background command would ignore SIGINT and read /dev/null: undo both.
    (trap - INT QUIT; exec "$prismig" "$@") 0<&0 &
    child=$!
    local rc again
    # wait returns early (128 + the signal) when a trap runs: wait again for prismig's own
    # exit code, which a second wait still reports if the first one was cut short.
    while :; do
        rc=0
        wait "$child" || rc=$?
        kill -0 "$child" 2>/dev/null && continue
        if [ -n "$signalled" ] && [ "$rc" -gt 128 ]; then
            again=0
            wait "$child" 2>/dev/null || again=$?
            [ "$again" != 127 ] && rc=$again
        fi
        break
    done
    child=""
    if [ -n "$signalled" ]; then
        log "${bad}stopped by SIG$signalled"
        # prismig's own code (130, 143); 128 + the signal's number if it had already finished.
        [ "$rc" = 0 ] && rc=$((128 + $(kill -l "$signalled")))
        exit "$rc"
    fi
    return "$rc"
}
log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

case "$environment" in
    development|dev|staging) url=${DEV_DATABASE_URL:-${DATABASE_URL:-}} ;;
    production|prod) url=${PROD_DATABASE_URL:-${DATABASE_URL:-}}; environment=production ;;
    *) usage ;;
esac
case "$action" in deploy|status) ;; *) usage ;; esac
if [ -z "$url" ]; then
    log "${bad}no database URL for $environment: set ${environment^^}_DATABASE_URL or DATABASE_URL"
    exit 3
fi
export DATABASE_URL=$url

log "${ok}$environment: $action"
# status' errors are kept to tell a database that does not exist yet (P1003), which deploy
# creates, from one that cannot be reached.
errors=$(mktemp) || exit 3
trap 'rm -f "$errors"' EXIT
status() {
    local c=0
    run_prismig migrate status --exit-code detailed "${extra[@]}" 2>"$errors" || c=$?
    cat "$errors" >&2
    return $c
}
status
code=$?
if [ $code = 1 ] && [ "$action" = deploy ] && grep -q 'P1003' "$errors"; then
    log "${warn}the database does not exist yet: deploy creates it"
    code=2
    new_database=1
fi
case $code in
    0) log "${ok}database schema is up to date" ;;
    1) log "${bad}cannot check the database (connection or configuration error above)"; exit 3 ;;
    2) log "${warn}migrations are pending" ;;
    3) log "${bad}failed migrations in the database: resolve them (prismig migrate resolve) before deploying"; [ "$action" = status ] && exit 3; exit 4 ;;
    4) log "${warn}the local migration history and the database differ" ;;
    5) log "${warn}the database is not managed by Prisma Migrate yet" ;;
esac
[ "$action" = status ] && exit $code

# --- schema check (drift) -------------------------------------------------------------
# Before a production deploy: the applied migrations replayed into a temporary shadow
# database (or shadowDatabaseUrl) must give the live schema. Exit 7 on drift. Skipped with
# a third argument --skip-schema-check or SKIP_SCHEMA_CHECK=1.
if [ -n "${new_database:-}" ]; then
    log "${ok}no schema to check yet: the database is new"
elif [ "$environment" = production ] && [ "${3:-}" != --skip-schema-check ] && [ "${SKIP_SCHEMA_CHECK:-0}" != 1 ]; then
    drift=0
    run_prismig migrate status --drift --exit-code detailed "${extra[@]}" >/dev/null || drift=$?
    case $drift in
        6) log "${bad}schema drift: the database differs from its applied migrations (summary above); fix it or rerun with --skip-schema-check"; exit 7 ;;
        0|2|4|5) log "${ok}database schema matches its applied migrations" ;;
        *) log "${bad}the schema check failed (error above); rerun with --skip-schema-check to deploy without it"; exit 7 ;;
    esac
fi
# --- end of schema check ----------------------------------------------------------------

if [ $code = 0 ]; then
    log "${ok}nothing to deploy"
    exit 0
fi

backup=()
if [ "$environment" = production ]; then
    dir=${BACKUP_DIR:-backups}
    mkdir -p "$dir"
    # The process id and a random part: two deploys in one second keep both backups
    # (prismig never writes over an existing file).
    backup=("--backup=$dir/$(date -u +%Y%m%dT%H%M%SZ)-$$-$RANDOM-before-deploy")
    log "${ok}a backup is taken before deploying (${backup[0]#--backup=})"
fi
if ! run_prismig migrate deploy "${backup[@]}" "${extra[@]}"; then
    log "${bad}deploy failed"
    exit 5
fi
log "${ok}deploy done"
if ! status; then
    log "${bad}not up to date after deploy"
    exit 6
fi
log "${ok}$environment is up to date"

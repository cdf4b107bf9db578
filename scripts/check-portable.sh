#!/usr/bin/env bash
# Type-checks prismig's own code (library, binary and unit tests, with PostgreSQL, SQLite and
# MySQL) for macOS and Windows, which the release workflow builds on their own runners: what
# is Linux-only must be behind a cfg. Nothing is linked and no C is compiled for the foreign
# target (there is no macOS SDK or Windows C library here), so the C libraries' build
# scripts are told where a library would be instead of building one:
# - libpq, SQLite, MySQL client: their system-library path (`*_LIB_DIR`, an empty folder, and the
#   MySQL client's version), which only prints link flags and copies the
#   bindings the crates ship;
# - OpenSSL: openssl-sys's build script compiles C even to find headers, so cargo's
#   `[target.<triple>.openssl]` override replaces it with what the vendored build reports
#   on Linux (the same OpenSSL 3 release, so the same cfgs).
# Checked: every line of src/ under each target's cfg, the dependencies' Rust code.
# Not checked: the C libraries themselves, linking, the integration tests (they need the
# databases) and `bundled` features (they only select how the C libraries are built).
# Uses its own target folder (target/portable) and -D warnings. On a 2-core machine: cold
# 2 min 42 s of CPU for macOS and Windows GNU (16 min wall while other builds ran), 65 s more
# for Windows MSVC; warm 6 s.
set -euo pipefail
cd "$(dirname "$0")/.."
# Windows twice: MSVC is what the release workflow builds, GNU is what the MinGW toolchain builds.
targets=${PRISMIG_PORTABLE_TARGETS:-"x86_64-apple-darwin x86_64-pc-windows-gnu x86_64-pc-windows-msvc"}
installed=$(rustup target list --installed 2>/dev/null || true)
# openssl-sys's cfgs for the vendored OpenSSL 3.6 (openssl-src 300.6), as its build script
# prints them on Linux.
ossl_cfgs='"openssl","ossl101","ossl102","ossl102f","ossl102h","ossl110","ossl110f","ossl110g","ossl110h","ossl111","ossl111b","ossl111c","ossl111d","ossl300","ossl320","ossl330","ossl340","ossl350"'
ossl_conf='OPENSSL_NO_IDEA,OPENSSL_NO_CAMELLIA,OPENSSL_NO_COMP,OPENSSL_NO_SSL3_METHOD,OPENSSL_NO_SEED'
# Each OPENSSL_NO_* as osslconf="..." (a TOML string holding quotes).
osslconf=$(printf '"osslconf=\\"%s\\"",' ${ossl_conf//,/ })
# An empty folder stands for each C library's location (pq-sys wants it to exist).
nolib="$PWD/target/portable/no-c-library"
mkdir -p "$nolib"
start=$(date +%s)
for target in $targets; do
    if ! grep -qx "$target" <<<"$installed"; then
        rustup target add "$target" >&2 \
            || { echo "check-portable: cannot add the Rust target $target (rustup target add $target)" >&2; exit 1; }
    fi
    t0=$(date +%s)
    # Without and with cfg(test): the library and binary, then their unit tests.
    for profile in dev test; do
        CARGO_TARGET_DIR=target/portable RUSTFLAGS="-D warnings" \
            PQ_LIB_DIR="$nolib" SQLITE3_LIB_DIR="$nolib" \
            MYSQLCLIENT_LIB_DIR="$nolib" MYSQLCLIENT_VERSION=9.5.0 \
            cargo check --locked --quiet --target "$target" --profile "$profile" \
            --no-default-features --features mysql --lib --bins \
            --config "target.$target.openssl.rustc-cfg=[$osslconf$ossl_cfgs]" \
            --config "target.$target.openssl.version_number=\"30600030\"" \
            --config "target.$target.openssl.conf=\"$ossl_conf\""
    done
    echo "check-portable: $target: lib, bin and unit tests check clean ($(($(date +%s) - t0)) s)"
done
echo "check-portable: done in $(($(date +%s) - start)) s"

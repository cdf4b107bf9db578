#!/usr/bin/env bash
# The release binary as shipped (npm packages, images): statically linked (static-pie), with
# libpq, OpenSSL, SQLite and the MySQL client library compiled in: PostgreSQL, SQLite and
# MySQL/MariaDB, nothing needed at run time. Cargo's progress goes to stderr; stdout gets
# the binary's path only. PRISMIG_TARGET picks the target (default x86_64-unknown-linux-gnu).
# Flags and the MySQL client's patch: scripts/lib/static-flags.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/static-flags.sh
# crt-static goes to the final crate only (`cargo rustc`), never to RUSTFLAGS: with it in
# RUSTFLAGS, build scripts see `crt-static` in CARGO_CFG_TARGET_FEATURE, cc then hands
# `-static` to OpenSSL's Configure, and OpenSSL builds without thread support (two fleet
# jobs over TLS then corrupted its state). Static linking is decided at the final link, so
# the binary is as static as before. musl targets link statically by default.
RUSTFLAGS="$flags" cargo rustc --release --locked "${overrides[@]}" --target "$target" \
    --bin prismig -- -C target-feature=+crt-static >&2
echo "target/$target/release/prismig"

#!/usr/bin/env bash
# The release binary as shipped (npm packages, images): statically linked (static-pie), with
# libpq, OpenSSL, SQLite and the MySQL client library compiled in: PostgreSQL, SQLite and
# MySQL/MariaDB, nothing needed at run time. Cargo's progress goes to stderr; stdout gets
# the binary's path only. PRISMIG_TARGET picks the target (default x86_64-unknown-linux-gnu).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${PRISMIG_TARGET:-x86_64-unknown-linux-gnu}
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$target" --bin prismig >&2
echo "target/$target/release/prismig"

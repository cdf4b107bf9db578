#!/usr/bin/env bash
# The release binary as shipped (npm packages, images): statically linked (static-pie), with
# libpq, OpenSSL, SQLite and the MySQL client library compiled in: PostgreSQL, SQLite and
# MySQL/MariaDB, nothing needed at run time. Cargo's progress goes to stderr; stdout gets
# the binary's path only. PRISMIG_TARGET picks the target (default x86_64-unknown-linux-gnu).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${PRISMIG_TARGET:-x86_64-unknown-linux-gnu}
flags="-C target-feature=+crt-static"
case "$target" in
    # Packed relative relocations (DT_RELR, glibc 2.36+, which the static binary carries
    # itself): the MySQL client's tables make about 1 MB of ordinary ones.
    *-linux-gnu) flags+=" -C link-arg=-Wl,-z,pack-relative-relocs" ;;
esac
# panic = abort: no unwind tables are needed.
flags+=" -C force-unwind-tables=no"
# Keep these flags identical wherever the static binary is built (Dockerfile.migrations):
# cargo rebuilds every C library when they change.
RUSTFLAGS="$flags" cargo build --release --locked --target "$target" --bin prismig >&2
echo "target/$target/release/prismig"

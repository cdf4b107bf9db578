#!/usr/bin/env bash
# The release binary as shipped (npm packages, images): statically linked (static-pie),
# libpq and OpenSSL compiled in, libsqlite3 bundled; no MySQL (that needs the system client
# library). Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${PRISMIG_TARGET:-x86_64-unknown-linux-gnu}
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --quiet --target "$target" --bin prismig
echo "target/$target/release/prismig"

#!/usr/bin/env bash
# What is published besides the binaries: the crate (`cargo package`, built from its own
# tarball; licence files and notices inside), `cargo install --path .` with all three
# providers, the npm packages' versions against Cargo.toml, and THIRD-PARTY-NOTICES'
# crate list against Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/npm-version.js --check
python3 scripts/third-party-notices.py --check
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
# Verification builds the packaged sources in target/, reusing the dependencies built there.
cargo package --locked --allow-dirty
crate=target/package/prismig-$version.crate
listing=$(tar tzf "$crate")
for f in LICENSE-MIT LICENSE-APACHE THIRD-PARTY-NOTICES README.md Cargo.lock src/main.rs; do
    grep -qx "prismig-$version/$f" <<< "$listing" || { echo "check-package: $crate lacks $f" >&2; exit 1; }
done
echo "check-package: $crate ($(wc -l <<< "$listing") files, $(stat -c %s "$crate") bytes)"

# cargo install from the repository: the debug profile, so the dependencies built for the
# tests are reused; the release profile differs only in optimisation.
root=$(mktemp -d /tmp/prismig-install.XXXXXX)
trap 'rm -rf "$root"' EXIT
cargo install --locked --debug --path . --root "$root" --target-dir target
"$root/bin/prismig" --version
# All three providers are in: a mysql:// URL gets past the build check to the connection
# attempt (P1001 at an address where nothing listens), not PM1002.
mkdir -p "$root/mysql/migrations"
printf 'datasource db {\n  provider = "mysql"\n  url      = "mysql://root@127.0.0.1:1/x"\n}\n' > "$root/mysql/schema.prisma"
out=$("$root/bin/prismig" migrate status --schema "$root/mysql/schema.prisma" 2>&1 || true)
if echo "$out" | grep -q PM1002; then
    echo "check-package: cargo install gave a binary without MySQL support:" >&2
    echo "$out" >&2
    exit 1
fi
echo "$out" | grep -q P1001 || { echo "check-package: unexpected answer for a mysql:// URL:" >&2; echo "$out" >&2; exit 1; }
echo "check-package: cargo install --path . serves mysql:// (P1001 for a closed port, not PM1002)"
echo "check-package: 3 passed, 0 failed"

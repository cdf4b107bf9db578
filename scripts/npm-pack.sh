#!/usr/bin/env bash
# Packs the npm packages into dist/npm/ from the package.json files in the tree (npm/prismig,
# the launcher; npm/@prismig/<platform>, one per binary):
#   scripts/npm-pack.sh                              this machine's package, from scripts/build-static.sh
#   scripts/npm-pack.sh PLATFORM=BINARY [...]        the given binaries (the release pipeline)
# PLATFORM is a folder under npm/@prismig (linux-x64-gnu linux-arm64-gnu linux-x64-musl
# linux-arm64-musl darwin-x64 darwin-arm64 win32-x64). Each platform package gets the binary,
# THIRD-PARTY-NOTICES and the licence files. The version is Cargo.toml's; the package.json
# files must agree (scripts/npm-version.js). Prints the tarballs' paths.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "npm-pack: npm is needed (Node.js 16 or later)" >&2; exit 1; }
node scripts/npm-version.js --check >/dev/null
if [ $# = 0 ]; then
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64) host=linux-x64-gnu ;;
        Linux-aarch64) host=linux-arm64-gnu ;;
        *) echo "npm-pack: give PLATFORM=BINARY: this script builds a binary only on Linux" >&2; exit 2 ;;
    esac
    target=$([ "$host" = linux-x64-gnu ] && echo x86_64-unknown-linux-gnu || echo aarch64-unknown-linux-gnu)
    set -- "$host=$(PRISMIG_TARGET=$target scripts/build-static.sh)"
fi
out=dist/npm
rm -rf "$out"
mkdir -p "$out/stage"
for spec in "$@"; do
    platform=${spec%%=*}
    binary=${spec#*=}
    [ -f "npm/@prismig/$platform/package.json" ] || { echo "npm-pack: unknown platform $platform (no npm/@prismig/$platform)" >&2; exit 2; }
    [ -f "$binary" ] || { echo "npm-pack: no binary at $binary" >&2; exit 2; }
    exe=prismig
    case "$platform" in win32-*) exe=prismig.exe ;; esac
    dir="$out/stage/$platform"
    cp -r "npm/@prismig/$platform" "$dir"
    mkdir -p "$dir/bin"
    cp "$binary" "$dir/bin/$exe"
    chmod 755 "$dir/bin/$exe"
    cp THIRD-PARTY-NOTICES LICENSE-MIT LICENSE-APACHE "$dir/"
    npm pack --silent --pack-destination "$out" "./$dir" >/dev/null
done
npm pack --silent --pack-destination "$out" ./npm/prismig >/dev/null
rm -rf "$out/stage"
ls "$out"/*.tgz

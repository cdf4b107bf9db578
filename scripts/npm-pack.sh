#!/usr/bin/env bash
# Builds the npm packages from release binaries and packs them into dist/npm/:
#   scripts/npm-pack.sh VERSION PLATFORM=BINARY [PLATFORM=BINARY …]
# PLATFORM is one of linux-x64-gnu linux-arm64-gnu linux-x64-musl linux-arm64-musl
# darwin-x64 darwin-arm64 win32-x64. The launcher `prismig` lists every platform package
# as an optional dependency; npm installs the one matching os/cpu/libc.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/npm-pack.sh VERSION PLATFORM=BINARY ...}
shift
out=dist/npm
rm -rf "$out"
mkdir -p "$out"
all=(linux-x64-gnu linux-arm64-gnu linux-x64-musl linux-arm64-musl darwin-x64 darwin-arm64 win32-x64)
optional=""
for p in "${all[@]}"; do
    optional+="    \"@prismig/$p\": \"$version\","$'\n'
done
optional=${optional%,$'\n'}

for spec in "$@"; do
    platform=${spec%%=*}
    binary=${spec#*=}
    case " ${all[*]} " in *" $platform "*) ;; *) echo "npm-pack: unknown platform $platform" >&2; exit 1 ;; esac
    os=${platform%%-*}
    rest=${platform#*-}
    cpu=${rest%%-*}
    libc=""
    [ "$os" = linux ] && libc=${rest#*-}
    exe=prismig
    [ "$os" = win32 ] && exe=prismig.exe
    dir="$out/$platform"
    mkdir -p "$dir/bin"
    cp "$binary" "$dir/bin/$exe"
    chmod 755 "$dir/bin/$exe"
    {
        echo "{"
        echo "  \"name\": \"@prismig/$platform\","
        echo "  \"version\": \"$version\","
        echo "  \"description\": \"prismig binary for $platform\","
        echo "  \"license\": \"MIT OR Apache-2.0\","
        echo "  \"os\": [\"$os\"],"
        echo "  \"cpu\": [\"$cpu\"],"
        [ -n "$libc" ] && echo "  \"libc\": [\"$([ "$libc" = gnu ] && echo glibc || echo musl)\"],"
        echo "  \"files\": [\"bin/$exe\"],"
        echo "  \"preferUnplugged\": true"
        echo "}"
    } > "$dir/package.json"
    (cd "$out" && npm pack --silent "./$platform" >/dev/null)
done

dir="$out/prismig"
mkdir -p "$dir/bin"
cp npm/prismig/bin/prismig.js "$dir/bin/prismig.js"
chmod 755 "$dir/bin/prismig.js"
cp npm/prismig/README.md "$dir/README.md"
cat > "$dir/package.json" <<JSON
{
  "name": "prismig",
  "version": "$version",
  "description": "Prisma Migrate's production commands (migrate deploy, status, resolve) in one small binary",
  "license": "MIT OR Apache-2.0",
  "bin": { "prismig": "bin/prismig.js" },
  "files": ["bin/prismig.js", "README.md"],
  "engines": { "node": ">=16" },
  "optionalDependencies": {
$optional
  }
}
JSON
(cd "$out" && npm pack --silent ./prismig >/dev/null)
ls "$out"/*.tgz

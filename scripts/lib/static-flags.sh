# Sourced by scripts/build-static.sh and scripts/binary-size.sh: the flags and the patched MySQL
# client of the shipped static binary. Sets `target`, `flags` (RUSTFLAGS) and `overrides`
# (cargo --config arguments). Any change to `flags` rebuilds every C library.
target=${PRISMIG_TARGET:-x86_64-unknown-linux-gnu}
# panic = abort: no unwind tables are needed.
flags="-C force-unwind-tables=no"
case "$target" in
    # Packed relative relocations (DT_RELR, glibc 2.36+, which the static binary carries
    # itself): the MySQL client's tables make about 1 MB of ordinary ones.
    *-linux-gnu) flags+=" -C link-arg=-Wl,-z,pack-relative-relocs" ;;
esac

# The MySQL client library is built from mysqlclient-src with one patch
# (scripts/patches/mysqlclient-src-charsets.patch): it registers only the collations a
# utf8mb4 client can select, which leaves about 3 MB of other character sets' tables out.
# The patched copy is a path override of the same version (`paths`), so Cargo.lock, the
# locked versions and every other crate stay as they are.
patch_file=scripts/patches/mysqlclient-src-charsets.patch
version=$(awk '/^name = "mysqlclient-src"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
[ -n "$version" ] || { echo "static-flags: mysqlclient-src is not in Cargo.lock" >&2; exit 1; }
cargo fetch --locked --target "$target" >&2
mysql_src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"mysqlclient-src-$version" | head -1)
# One folder per version, whatever the patch: cargo keeps the MySQL client's cmake build
# folder for a path, so a changed patch rebuilds only what it touches.
patched=$PWD/target/patched/mysqlclient-src-$version
stamp=$(sha256sum "$patch_file" | cut -d' ' -f1)
if [ "$(cat "$patched/.prismig-patched" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$patched"
    mkdir -p "$patched"
    # Times kept (-a): only the patched files look changed to cmake.
    cp -a "$mysql_src/." "$patched/"
    patch --quiet --forward --strip=1 --directory="$patched" < "$patch_file"
    echo "$stamp" > "$patched/.prismig-patched"
fi
overrides=(--config "paths=[\"$patched\"]")

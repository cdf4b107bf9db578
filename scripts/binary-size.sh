#!/usr/bin/env bash
# What the static binary holds: links it once more, unstripped and with a linker map (only the
# final link reruns, about a minute once scripts/build-static.sh has built everything), and
# prints the bytes each library contributes to the loaded sections, then its largest objects.
# The README's size table ("Building") comes from here. Restores the shipped binary after.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/prismig-size.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The flags and the patched MySQL client exactly as scripts/build-static.sh has them (any other
# RUSTFLAGS string rebuilds every C library); the extra flags reach only the final link.
source scripts/lib/static-flags.sh
RUSTFLAGS="$flags" cargo rustc --release --locked "${overrides[@]}" --target "$target" --bin prismig -- \
    -C target-feature=+crt-static -C strip=none -C "link-arg=-Wl,-Map=$work/map.txt" >&2
python3 - "$work/map.txt" <<'EOF'
import collections, re, sys
by_lib, by_obj, out = collections.Counter(), collections.Counter(), None
line_re = re.compile(r'^\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+ (.*)$')
for line in open(sys.argv[1], errors='replace'):
    m = line_re.match(line)
    if not m:
        continue
    size, rest = int(m.group(1), 16), m.group(2)
    if not rest.startswith(' '):
        out = rest.strip()  # an output section
        continue
    rest = rest.strip()
    if ':(' not in rest or out.startswith('.debug') or out in ('.comment', '.symtab', '.strtab'):
        continue
    source = rest[:rest.rindex(':(')].split('/')[-1]
    lib = re.match(r'^(lib\w+?)-[0-9a-f]+\.rlib\((.*)\)$', source)
    if lib and 'rcgu.o' not in lib.group(2):
        name = lib.group(1) + ' (C)'
        by_obj[(name, lib.group(2))] += size
    elif 'rcgu.o' in source:
        name = 'Rust (LTO)'
    else:
        name = re.sub(r'\(.*\)$', '', source)
    by_lib[name] += size
print(f"{sum(by_lib.values()):>10}  all loaded sections")
for name, size in by_lib.most_common(12):
    print(f"{size:>10}  {name}")
print("largest C objects:")
for (name, obj), size in by_obj.most_common(20):
    print(f"{size:>10}  {name} {obj}")
EOF
# Put the stripped build back in place.
scripts/build-static.sh >/dev/null

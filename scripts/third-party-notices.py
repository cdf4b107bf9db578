#!/usr/bin/env python3
"""Keeps the Rust crate list in THIRD-PARTY-NOTICES in step with Cargo.lock.

    scripts/third-party-notices.py          rewrite the list between the markers
    scripts/third-party-notices.py --check  change nothing; exit 1 when the list is stale (CI)

The list holds every crate compiled into the release binary with the default features (normal
dependencies only; build scripts and tests are not shipped), for all release targets, with the
licence each declares. The rest of the file (the C libraries and the licence texts) is written
by hand.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTICES = ROOT / "THIRD-PARTY-NOTICES"
BEGIN = "---- Rust crates (scripts/third-party-notices.py writes this list) ----"
END = "---- end of Rust crates ----"
TARGETS = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
]


def shipped_crates():
    crates = {}
    for target in TARGETS:
        meta = json.loads(
            subprocess.run(
                ["cargo", "metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", target],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        packages = {p["id"]: p for p in meta["packages"]}
        nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
        root = meta["resolve"]["root"]
        seen, todo = set(), [root]
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            # Procedural macros run in the compiler; nothing of them is in the binary.
            if pid != root and any("proc-macro" in t["kind"] for t in packages[pid]["targets"]):
                continue
            for dep in nodes[pid]["deps"]:
                if any(k["kind"] is None for k in dep["dep_kinds"]):
                    todo.append(dep["pkg"])
        for pid in seen - {root}:
            p = packages[pid]
            if any("proc-macro" in t["kind"] for t in p["targets"]):
                continue
            crates[(p["name"], p["version"])] = p.get("license") or "(see the crate)"
    return sorted(crates.items())


def render():
    lines = [BEGIN]
    for (name, version), licence in shipped_crates():
        lines.append(f"{name} {version}: {licence}")
    lines.append(END)
    return "\n".join(lines)


def main():
    text = NOTICES.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    updated = text[:start] + render() + text[end:]
    if "--check" in sys.argv:
        if updated != text:
            print("third-party-notices: the Rust crate list in THIRD-PARTY-NOTICES is stale: run scripts/third-party-notices.py", file=sys.stderr)
            sys.exit(1)
        print("third-party-notices: the Rust crate list matches Cargo.lock")
    elif updated != text:
        NOTICES.write_text(updated)
        print("third-party-notices: THIRD-PARTY-NOTICES updated")


if __name__ == "__main__":
    main()

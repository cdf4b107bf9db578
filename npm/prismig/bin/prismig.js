#!/usr/bin/env node
// prismig's npm launcher: runs the binary from the platform package npm installed as an
// optional dependency. No install script, no download: `npm install --ignore-scripts` and
// offline mirrors work.
"use strict";
const { spawnSync } = require("child_process");

function libc() {
  try {
    const header = process.report.getReport().header;
    return header.glibcVersionRuntime ? "gnu" : "musl";
  } catch {
    return "gnu";
  }
}

const platform = process.platform;
const arch = process.arch;
const exe = platform === "win32" ? "prismig.exe" : "prismig";
// Linux binaries are static, so either libc's package serves when the other is missing.
const candidates =
  platform === "linux"
    ? [`linux-${arch}-${libc()}`, `linux-${arch}-${libc() === "gnu" ? "musl" : "gnu"}`]
    : [`${platform}-${arch}`];

function locate() {
  if (process.env.PRISMIG_BINARY) return process.env.PRISMIG_BINARY;
  for (const key of candidates) {
    try {
      return require.resolve(`@prismig/${key}/bin/${exe}`);
    } catch {
      // not installed: try the next one
    }
  }
  console.error(
    `prismig: no binary for ${candidates[0]}: the optional dependency @prismig/${candidates[0]} is not installed.\n` +
      "Install with optional dependencies (npm install --include=optional), or set PRISMIG_BINARY to a prismig binary."
  );
  process.exit(1);
}

const result = spawnSync(locate(), process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  console.error(`prismig: ${result.error.message}`);
  process.exit(1);
}
if (result.status === null) {
  process.exit(result.signal === "SIGINT" ? 130 : 143);
}
process.exit(result.status);

#!/usr/bin/env node
// prismig's npm launcher: runs the binary from the platform package npm installed as an
// optional dependency. No install script, no download: `npm install --ignore-scripts` and
// offline mirrors work.
"use strict";
const { spawn } = require("child_process");
const { constants } = require("os");

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

// A signal sent to the launcher alone (CI cancelling a job, `docker stop`, `kill`) goes to
// prismig too, so it can cancel the statement in flight and record it; the launcher stays
// until prismig has exited and then exits with its code. The handlers are in place before
// prismig starts: a launcher that inherited an ignored SIGINT would otherwise drop one that
// arrives in between.
let child = null;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    try {
      if (child) child.kill(signal);
    } catch {
      // already gone: its exit is reported below
    }
  });
}

child = spawn(locate(), process.argv.slice(2), { stdio: "inherit" });

child.on("error", (error) => {
  console.error(`prismig: ${error.message}`);
  process.exit(1);
});

child.on("exit", (code, signal) => {
  if (code !== null) process.exit(code);
  // Killed by a signal: the shell's convention, 128 + its number (130 SIGINT, 143 SIGTERM).
  process.exit(128 + (constants.signals[signal] || 15));
});

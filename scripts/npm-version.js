#!/usr/bin/env node
// Keeps the npm packages in step with Cargo.toml:
//   scripts/npm-version.js          write Cargo.toml's version into every package.json under npm/
//   scripts/npm-version.js --check  change nothing; exit 1 listing what differs (CI)
// Run it after changing the version in Cargo.toml.
// Covers the launcher (npm/prismig: its version and the version of every platform package in
// optionalDependencies) and each platform package (npm/@prismig/*), and checks that the
// launcher lists exactly the platform packages in the tree.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const check = process.argv.includes("--check");

const cargo = fs.readFileSync(path.join(root, "Cargo.toml"), "utf8");
const packageSection = cargo.split(/^\[/m).find((s) => s.startsWith("package]"));
const match = packageSection && packageSection.match(/^version\s*=\s*"([^"]+)"/m);
if (!match) {
  console.error("npm-version: no version in Cargo.toml's [package] section");
  process.exit(1);
}
const version = match[1];

const launcherFile = path.join(root, "npm/prismig/package.json");
const platformDir = path.join(root, "npm/@prismig");
const platforms = fs
  .readdirSync(platformDir)
  .filter((d) => fs.existsSync(path.join(platformDir, d, "package.json")))
  .sort();

const problems = [];
function update(file, edit) {
  const before = fs.readFileSync(file, "utf8");
  const json = JSON.parse(before);
  edit(json);
  const after = JSON.stringify(json, null, 2) + "\n";
  if (after === before) return;
  const rel = path.relative(root, file);
  if (check) problems.push(rel);
  else {
    fs.writeFileSync(file, after);
    console.log(`npm-version: ${rel} -> ${version}`);
  }
}

for (const p of platforms) {
  update(path.join(platformDir, p, "package.json"), (json) => {
    if (json.name !== `@prismig/${p}`) problems.push(`npm/@prismig/${p}: name is ${json.name}, not @prismig/${p}`);
    json.version = version;
  });
}
update(launcherFile, (json) => {
  json.version = version;
  const listed = Object.keys(json.optionalDependencies || {}).sort();
  const wanted = platforms.map((p) => `@prismig/${p}`);
  if (listed.join(" ") !== wanted.join(" ")) {
    problems.push(`npm/prismig: optionalDependencies (${listed.join(", ")}) differ from the platform packages in npm/@prismig (${wanted.join(", ")})`);
  }
  json.optionalDependencies = Object.fromEntries(wanted.map((name) => [name, version]));
});

// npm packs only files inside the package folder, so the launcher carries copies of the
// licence files.
for (const name of ["LICENSE-MIT", "LICENSE-APACHE"]) {
  const source = fs.readFileSync(path.join(root, name));
  const copy = path.join(root, "npm/prismig", name);
  if (fs.existsSync(copy) && fs.readFileSync(copy).equals(source)) continue;
  if (check) problems.push(`npm/prismig/${name} differs from ${name}`);
  else fs.writeFileSync(copy, source);
}

if (problems.length) {
  console.error(`npm-version: not in step with Cargo.toml (version ${version}):`);
  for (const p of problems) console.error(`  ${p}`);
  console.error("  run scripts/npm-version.js to update the package.json files");
  process.exit(1);
}
if (check) console.log(`npm-version: ${platforms.length + 1} packages at ${version}, as Cargo.toml`);

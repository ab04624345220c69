// Refuses breaking changes to schema.graphql that are not marked deliberate.
//
// Usage: node schema-check.mjs REPO
//
// Every commit since the `since` commit named in REPO/schema-breaking-changes.txt that changed
// schema.graphql is diffed against its parent's schema.graphql with @graphql-inspector/core, and so is an
// uncommitted schema.graphql against HEAD's. Walking each commit, rather than diffing against one base, means
// the check needs nothing but the clone itself: CI's fresh clone of main has no remote branch to take a merge
// base from, yet a breaking change anywhere in what it is given is found. Each breaking change must be listed
// in schema-breaking-changes.txt as `TYPE COORDINATE: why` (the TYPE and COORDINATE this script prints);
// dangerous changes are printed and pass. Every @deprecated in the current schema must give its reason.
//
// Exit status: 0 when every breaking change is marked, 1 when one is not or the marker file is malformed,
// 2 when REPO's history cannot be read (not a git clone, or a shallow one without the `since` commit).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CriticalityLevel, diff } from "@graphql-inspector/core";
import { buildSchema, parse, visit } from "graphql";

const repo = process.argv[2];
if (!repo) {
  console.error("usage: node schema-check.mjs REPO");
  process.exit(2);
}
const SCHEMA = "schema.graphql";
const MARKERS = "schema-breaking-changes.txt";

function git(...args) {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
function unreadable(why) {
  console.error(`schema check: cannot read the history: ${why}`);
  process.exit(2);
}

// The marker file: `since COMMIT`, then one `TYPE COORDINATE: why` per deliberate breaking change.
const markersPath = join(repo, MARKERS);
if (!existsSync(markersPath)) {
  console.error(`schema check: ${MARKERS} is missing`);
  process.exit(1);
}
let since;
const deliberate = new Map();
const malformed = [];
readFileSync(markersPath, "utf8")
  .split("\n")
  .forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const sinceLine = /^since ([0-9a-f]{7,40})$/.exec(line);
    const marker = /^([A-Z_]+) (\S+): (\S.*)$/.exec(line);
    if (sinceLine && since === undefined) since = sinceLine[1];
    else if (marker) deliberate.set(`${marker[1]} ${marker[2]}`, marker[3]);
    else malformed.push(`${MARKERS}:${index + 1}: ${line}`);
  });
if (since === undefined) malformed.push(`${MARKERS}: no \`since COMMIT\` line`);
if (malformed.length) {
  console.error(`schema check: malformed lines (expected \`TYPE COORDINATE: why\`):\n  ${malformed.join("\n  ")}`);
  process.exit(1);
}

try {
  git("rev-parse", "--is-inside-work-tree");
} catch {
  unreadable(`${repo} is not a git work tree`);
}
try {
  git("merge-base", "--is-ancestor", since, "HEAD");
} catch {
  unreadable(`the since commit ${since} is not in HEAD's history (a shallow clone?)`);
}

// The schema versions to compare: each commit's against its parent's, then the working tree's against HEAD's.
const pairs = [];
const commits = git("rev-list", "--reverse", "--no-merges", `${since}..HEAD`, "--", SCHEMA).split("\n").filter(Boolean);
for (const commit of commits) {
  const subject = git("log", "-1", "--format=%h %s", commit).trim();
  let before;
  try {
    before = git("show", `${commit}^:${SCHEMA}`);
  } catch {
    continue; // the commit that added the file: nothing to break
  }
  let after;
  try {
    after = git("show", `${commit}:${SCHEMA}`);
  } catch {
    after = null; // deleted: every type removed
  }
  pairs.push({ label: subject, before, after });
}
const head = git("show", `HEAD:${SCHEMA}`);
const current = readFileSync(join(repo, SCHEMA), "utf8");
if (current !== head) pairs.push({ label: "uncommitted changes", before: head, after: current });

let breaking = 0;
const unmarked = [];
for (const { label, before, after } of pairs) {
  const changes = await diff(buildSchema(before), after === null ? null : buildSchema(after));
  for (const change of changes) {
    const level = change.criticality.level;
    if (level === CriticalityLevel.NonBreaking) continue;
    const key = `${change.type} ${change.path ?? ""}`;
    if (level === CriticalityLevel.Breaking) {
      breaking += 1;
      const why = deliberate.get(key);
      console.log(`${why ? "deliberate" : "BREAKING"}: ${key}: ${change.message} (${label})${why ? ` — ${why}` : ""}`);
      if (!why) unmarked.push(key);
    } else {
      console.log(`dangerous: ${key}: ${change.message} (${label})`);
    }
  }
}

// Deprecations say why, so clients know what to move to.
const missingReasons = [];
visit(parse(current), {
  Directive(node, _key, _parent, _path, ancestors) {
    if (node.name.value !== "deprecated") return;
    if (!node.arguments?.some((argument) => argument.name.value === "reason")) {
      const owner = ancestors.filter((a) => a && a.name?.value).map((a) => a.name.value);
      missingReasons.push(owner.join("."));
    }
  },
});
for (const owner of missingReasons) console.log(`BREAKING POLICY: @deprecated without a reason on ${owner}`);

console.log(
  `schema check: ${pairs.length} schema changes since ${since.slice(0, 12)} checked, ${breaking} breaking, ` +
    `${unmarked.length} not marked deliberate in ${MARKERS}`,
);
if (unmarked.length) {
  console.log(`To make a breaking change on purpose, add to ${MARKERS}, each with why:`);
  for (const key of new Set(unmarked)) console.log(`  ${key}: <why, and what clients use instead>`);
}
process.exit(unmarked.length || missingReasons.length ? 1 : 0);

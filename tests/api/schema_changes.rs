//! Breaking changes to `schema.graphql` are refused unless marked deliberate. `tests/clients/schema-check.mjs`
//! diffs, with @graphql-inspector/core, the schema of every commit after the `since` commit named in
//! `schema-breaking-changes.txt` against its parent's, and an uncommitted schema against HEAD's; each breaking
//! change must be listed in that file with why. It reads only the clone's own history, so it means the same in
//! CI's fresh clone of main (no remote to take a merge base from) as on a branch.
use std::path::Path;
use std::process::{Command, Output};

use crate::helpers::{node_missing, skip};

/// `node schema-check.mjs REPO`, or `None` (skipped) where node or its packages are missing.
fn schema_check(repo: &Path) -> Option<Output> {
    if let Some(missing) = node_missing("tests/clients") {
        skip(&format!("schema-check.mjs did not run: {missing}"));
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/schema-check.mjs");
    Some(Command::new("node").arg(script).arg(repo).output().expect("run node"))
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn schema_graphql_has_no_breaking_change_that_is_not_marked_deliberate() {
    let Some(output) = schema_check(Path::new(env!("CARGO_MANIFEST_DIR"))) else { return };
    let report = text(&output);
    eprintln!("{report}");
    assert!(output.status.success(), "{report}");
    assert!(report.contains("schema check: "), "{report}");
}

/// `git -C repo ARGS…`, which must succeed.
fn git(repo: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-C", repo.to_str().unwrap(), "-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .expect("run git");
    assert!(output.status.success(), "git {args:?}: {}", text(&output));
    String::from_utf8(output.stdout).unwrap()
}

/// `schema` with `field` (a line such as `\tsummary: String!`) taken out of `type`'s block.
fn without_field(schema: &str, type_header: &str, field: &str) -> String {
    let start = schema.find(type_header).expect("the type");
    let end = start + schema[start..].find("\n}").expect("the type's end");
    let at = start + schema[start..end].find(&format!("\n{field}\n")).expect("the field");
    format!("{}{}", &schema[..at], &schema[at + field.len() + 1..])
}

#[test]
fn a_removed_or_retyped_field_fails_the_check_until_it_is_marked_deliberate() {
    // A repository of its own: the real schema, then commits that break it.
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    let schema = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql")).unwrap();
    git(dir, &["init", "-q"]);
    std::fs::write(dir.join("schema.graphql"), &schema).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "the schema"]);
    let since = git(dir, &["rev-parse", "HEAD"]);
    let markers = format!("# deliberate breaking changes\nsince {}", since.trim());
    std::fs::write(dir.join("schema-breaking-changes.txt"), format!("{markers}\n")).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "the marker file"]);
    let Some(unchanged) = schema_check(dir) else { return };
    assert!(unchanged.status.success(), "{}", text(&unchanged));

    // A commit removes a field clients may use: refused, naming the change and how to mark it.
    let removed = without_field(&schema, "type Role implements Node {", "\tsummary: String!");
    std::fs::write(dir.join("schema.graphql"), &removed).unwrap();
    git(dir, &["commit", "-q", "-am", "drop Role.summary"]);
    let refused = schema_check(dir).unwrap();
    let report = text(&refused);
    assert!(!refused.status.success(), "{report}");
    assert!(report.contains("BREAKING: FIELD_REMOVED Role.summary"), "{report}");
    assert!(report.contains("1 not marked deliberate"), "{report}");

    // Marked deliberate, with why: accepted, and said so.
    let marked = format!("{markers}\nFIELD_REMOVED Role.summary: clients read the overview instead\n");
    std::fs::write(dir.join("schema-breaking-changes.txt"), marked).unwrap();
    git(dir, &["commit", "-q", "-am", "mark the removal deliberate"]);
    let accepted = schema_check(dir).unwrap();
    let report = text(&accepted);
    assert!(accepted.status.success(), "{report}");
    assert!(report.contains("deliberate: FIELD_REMOVED Role.summary"), "{report}");

    // A field retyped in the working tree, not yet committed, is refused as well.
    let retyped = removed.replacen("\ttitle: String!", "\ttitle: Int!", 1);
    assert_ne!(retyped, removed);
    std::fs::write(dir.join("schema.graphql"), retyped).unwrap();
    let refused = schema_check(dir).unwrap();
    let report = text(&refused);
    assert!(!refused.status.success(), "{report}");
    assert!(report.contains("FIELD_TYPE_CHANGED") && report.contains("uncommitted changes"), "{report}");

    // A marker without its reason is no marker.
    std::fs::write(dir.join("schema.graphql"), &removed).unwrap();
    std::fs::write(dir.join("schema-breaking-changes.txt"), format!("{markers}\nFIELD_REMOVED Role.summary\n"))
        .unwrap();
    let malformed = schema_check(dir).unwrap();
    assert!(!malformed.status.success(), "{}", text(&malformed));
    assert!(text(&malformed).contains("malformed"), "{}", text(&malformed));
}

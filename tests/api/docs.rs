//! The docs stay true: every fenced GraphQL example in README.md and docs/*.md runs against the seeded
//! server over HTTP, and every path, link and flag they name exists.
//!
//! An example's fence says how it runs (docs/development.md is the convention, for writers):
//! - ` ```graphql `: anonymously; it must answer data and no errors;
//! - `as=editor` / `as=admin`: with a new key of that role; every payload's `userErrors` must be empty;
//! - `error=CODE`: it must fail, its first error's `extensions.code` being CODE;
//! - `cost=N`: its `extensions.cost.requested` must be N;
//! - `statements=N`: it must run exactly N SQL statements;
//! - a ` ```json variables ` block right after the example (blank lines between at most) holds its variables.
//!
//! The examples run in order (README.md first, then docs/ by file name) on one seeded database, so a later
//! example sees what an earlier mutation wrote.
use std::path::{Path, PathBuf};

use careerql::auth::KeyRole;
use serde_json::{Value, json};

use crate::helpers::TestApp;

crate::on_every_backend!(every_graphql_example_in_the_docs_answers_as_its_fence_says);

/// A fenced block: where it starts, its info string and its text.
struct Block {
    line: usize,
    /// The line of its closing fence.
    end: usize,
    info: String,
    body: String,
    /// Only blank lines lie between this block and the one before it.
    follows_directly: bool,
}

/// One GraphQL example and how its fence says it must answer.
#[derive(Debug)]
struct Example {
    place: String,
    query: String,
    variables: Value,
    key: Option<KeyRole>,
    error: Option<String>,
    cost: Option<u64>,
    statements: Option<u64>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md, then every docs/*.md by name, as (path relative to the repository, text).
fn pages() -> Vec<(String, String)> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("a docs/ folder")
        .map(|entry| entry.expect("a docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    std::iter::once(root().join("README.md"))
        .chain(docs)
        .map(|path| {
            let name = path.strip_prefix(root()).unwrap().display().to_string();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {name}: {e}"));
            (name, text)
        })
        .collect()
}

/// A fence line's length (three backticks or more) and info string.
fn fence(line: &str) -> Option<(usize, &str)> {
    let ticks = line.len() - line.trim_start_matches('`').len();
    (ticks >= 3).then(|| (ticks, line[ticks..].trim()))
}

/// The fenced blocks of a Markdown text, in order. A block ends at a bare fence at least as long as the one
/// that opened it, so a ````markdown block may show fences inside.
fn blocks(text: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut open: Option<(usize, usize, String, Vec<&str>, bool)> = None;
    let mut blank_since_last = false;
    for (index, line) in text.lines().enumerate() {
        match (&mut open, fence(line)) {
            (None, Some((ticks, info))) => {
                open = Some((index + 1, ticks, info.to_owned(), Vec::new(), blank_since_last));
            }
            (Some((_, opened, ..)), Some((ticks, ""))) if ticks >= *opened => {
                let (line, _, info, body, follows_directly) = open.take().unwrap();
                found.push(Block { line, end: index + 1, info, body: body.join("\n"), follows_directly });
                blank_since_last = true;
            }
            (Some((.., body, _)), _) => body.push(line),
            (None, None) => blank_since_last &= line.trim().is_empty(),
        }
    }
    assert!(open.is_none(), "a fence is never closed");
    found
}

/// Every GraphQL example of `page`, or what is wrong with a fence.
fn examples(page: &str, text: &str) -> Result<Vec<Example>, String> {
    let mut examples: Vec<Example> = Vec::new();
    let mut previous_was_graphql = false;
    for block in blocks(text) {
        let place = format!("{page}:{}", block.line);
        let mut words = block.info.split_whitespace();
        let kind = words.next().unwrap_or_default();
        let attributes: Vec<&str> = words.collect();
        let was_graphql = std::mem::replace(&mut previous_was_graphql, kind == "graphql");
        if kind == "json" && attributes == ["variables"] {
            let example = examples.last_mut().filter(|_| was_graphql && block.follows_directly);
            let example = example.ok_or(format!("{place}: a variables block must follow its graphql example"))?;
            example.variables =
                serde_json::from_str(&block.body).map_err(|e| format!("{place}: variables are not JSON: {e}"))?;
            continue;
        }
        if kind != "graphql" {
            if kind.starts_with("graphql") || kind == "gql" {
                return Err(format!("{place}: `{kind}` is not a kind of example; use graphql and attributes"));
            }
            continue;
        }
        let mut example = Example {
            place,
            query: block.body,
            variables: json!({}),
            key: None,
            error: None,
            cost: None,
            statements: None,
        };
        for attribute in attributes {
            match attribute.split_once('=') {
                Some(("as", "editor")) => example.key = Some(KeyRole::Editor),
                Some(("as", "admin")) => example.key = Some(KeyRole::Admin),
                Some(("error", code)) => example.error = Some(code.to_owned()),
                Some((name @ ("cost" | "statements"), n)) => {
                    let n = n.parse().map_err(|_| format!("{}: {attribute}: not a number", example.place))?;
                    *(if name == "cost" { &mut example.cost } else { &mut example.statements }) = Some(n);
                }
                _ => return Err(format!("{}: unknown attribute `{attribute}`", example.place)),
            }
        }
        examples.push(example);
    }
    Ok(examples)
}

/// What is wrong with `response` to `example`, which ran `statements` SQL statements, if anything.
fn judge(example: &Example, response: &Value, statements: u64) -> Option<String> {
    let errors = response.get("errors");
    if let Some(code) = &example.error {
        let got = errors.and_then(|errors| errors[0]["extensions"]["code"].as_str());
        if got != Some(code.as_str()) {
            return Some(format!("expected an error with code {code}, got {got:?}"));
        }
    } else if errors.is_some() {
        return Some("answered with errors".to_owned());
    } else if !response["data"].is_object() {
        return Some("answered no data".to_owned());
    }
    let mut payloads = response["data"].as_object().into_iter().flat_map(|data| data.values());
    if payloads.any(|payload| payload.get("userErrors").is_some_and(|errors| errors != &json!([]))) {
        return Some("a payload has userErrors".to_owned());
    }
    if let Some(cost) = example.cost {
        let requested = response["extensions"]["cost"]["requested"].as_u64();
        if requested != Some(cost) {
            return Some(format!("the docs say it costs {cost}; the server says {requested:?}"));
        }
    }
    if example.statements.is_some_and(|expected| expected != statements) {
        return Some(format!("the docs say it runs {:?} SQL statements; it ran {statements}", example.statements));
    }
    None
}

async fn every_graphql_example_in_the_docs_answers_as_its_fence_says(app: TestApp) {
    let mut all = Vec::new();
    for (page, text) in pages() {
        all.extend(examples(&page, &text).unwrap_or_else(|problem| panic!("{problem}")));
    }
    // The extraction itself must find what the docs hold, each kind of fence included.
    assert!(all.len() >= 20, "found only {} examples", all.len());
    assert!(all.iter().any(|e| e.error.is_some()) && all.iter().any(|e| e.key.is_some()), "{all:#?}");

    let editor = app.key(KeyRole::Editor).await;
    let admin = app.key(KeyRole::Admin).await;
    let mut failures = Vec::new();
    for example in &all {
        let request = app.request(reqwest::Method::POST).json(&json!({
            "query": example.query,
            "variables": example.variables,
        }));
        let request = match example.key {
            Some(KeyRole::Editor) => request.bearer_auth(&editor),
            Some(KeyRole::Admin) => request.bearer_auth(&admin),
            None => request,
        };
        let before = app.statements();
        let response: Value = request.send().await.expect("POST /graphql").json().await.expect("a JSON answer");
        if let Some(problem) = judge(example, &response, app.statements() - before) {
            failures.push(format!("{}: {problem}\n{}\n{response:#}", example.place, example.query));
        }
    }
    assert!(failures.is_empty(), "{} of {} examples fail:\n\n{}", failures.len(), all.len(), failures.join("\n\n"));
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a page's headings (outside fenced blocks).
fn anchors(text: &str) -> Vec<String> {
    let in_blocks: Vec<(usize, usize)> = blocks(text).iter().map(|block| (block.line, block.end)).collect();
    text.lines()
        .enumerate()
        .filter(|(index, line)| {
            line.starts_with('#') && !in_blocks.iter().any(|(start, end)| (*start..=*end).contains(&(index + 1)))
        })
        .map(|(_, line)| anchor(line.trim_start_matches('#')))
        .collect()
}

/// Paths of the repository the docs name in backticks (`src/…`, `scripts/…`) and relative links.
#[test]
fn every_path_and_link_in_the_docs_exists() {
    const TOP: [&str; 12] = [
        "src/",
        "tests/",
        "scripts/",
        "clients/",
        "entity/",
        "migration/",
        "examples/",
        "assets/",
        "docs/",
        ".ci/",
        "schema.graphql",
        "schema-breaking-changes.txt",
    ];
    let pages = pages();
    let mut missing = Vec::new();
    for (page, text) in &pages {
        let here = Path::new(page).parent().unwrap_or(Path::new(""));
        for (number, line) in text.lines().enumerate() {
            let place = format!("{page}:{}", number + 1);
            // `path` in backticks: its first word, up to any wildcard.
            for quoted in line.split('`').skip(1).step_by(2) {
                let word = quoted.split_whitespace().next().unwrap_or_default();
                if TOP.iter().any(|top| word.starts_with(top)) {
                    let fixed = word.split(['*', '{']).next().unwrap();
                    let fixed = if fixed.len() < word.len() { &fixed[..=fixed.rfind('/').unwrap()] } else { fixed };
                    if !root().join(fixed).exists() {
                        missing.push(format!("{place}: `{word}` does not exist"));
                    }
                }
            }
            // [text](relative.md#anchor)
            for target in line.split("](").skip(1).filter_map(|rest| rest.split(')').next()) {
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
                let path = if file.is_empty() { PathBuf::from(page) } else { here.join(file) };
                let Ok(linked) = std::fs::read_to_string(root().join(&path)) else {
                    missing.push(format!("{place}: link to {target}: no such file"));
                    continue;
                };
                if !fragment.is_empty() && !anchors(&linked).iter().any(|a| a == fragment) {
                    missing.push(format!("{place}: link to {target}: no such heading"));
                }
            }
        }
    }
    assert!(pages.len() >= 10, "README.md and the pages of docs/: {}", pages.len());
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Every long flag of the command line and its subcommands, hidden ones (old spellings) included.
fn flags(command: &clap::Command) -> Vec<String> {
    let own = command.get_arguments().filter_map(|arg| arg.get_long()).map(|long| format!("--{long}"));
    own.chain(command.get_subcommands().flat_map(flags)).collect()
}

/// The settings pages name only flags the binary takes, and name every flag it shows in `--help` (the
/// environment variables are checked against `--help` in config.rs).
#[test]
fn the_docs_name_every_flag_and_only_real_ones() {
    use clap::CommandFactory;
    let command = careerql::cli::Cli::command();
    let known = [flags(&command), vec!["--help".to_owned(), "--version".to_owned()]].concat();
    let pages = pages();
    let settings = &pages.iter().find(|(page, _)| page == "docs/configuration.md").expect("configuration page").1;
    let mut wrong = Vec::new();
    for (page, text) in &pages {
        for quoted in text.lines().flat_map(|line| line.split('`').skip(1).step_by(2)) {
            let Some(flag) = quoted.split_whitespace().find(|word| word.starts_with("--") && word.len() > 2) else {
                continue;
            };
            let flag = flag.split('=').next().unwrap();
            // Only careerql's: a flag alone, or a careerql command line (not cargo's, websocat's or a script's).
            let ours = quoted.starts_with("--") || quoted.starts_with("careerql ");
            if ours && !known.iter().any(|k| k == flag) {
                wrong.push(format!("{page}: `{quoted}`: careerql has no {flag}"));
            }
        }
    }
    for arg in command.get_arguments().filter(|arg| !arg.is_hide_set()) {
        let flag = format!("`--{}`", arg.get_long().unwrap_or_default());
        if arg.get_long().is_some_and(|long| !matches!(long, "help" | "version")) && !settings.contains(&flag) {
            wrong.push(format!("docs/configuration.md does not describe {flag}"));
        }
    }
    assert!(known.len() >= 25, "{known:?}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

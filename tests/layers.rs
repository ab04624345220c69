//! The stages of `docs/architecture.md`'s layer table, held to the code: every file of `src/` belongs to a
//! stage of the table, imports only its own stage, the stages below it and the foundation, and the stages
//! of data and domain name no async-graphql type. The table is read from the doc, so the doc cannot drift
//! from what this test enforces; the paths are read with `syn`, so `use` groups, `super::` and paths written
//! inline all count.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

const DOC: &str = "docs/architecture.md";
/// The line that opens the table in the doc.
const MARKER: &str = "<!-- layers: tests/layers.rs enforces this table -->";
/// The stage every other may import, and which imports only itself.
const FOUNDATION: &str = "foundation";
/// The schema's object types, one a file, name each other as the graph's edges do (a role's skills, a
/// skill's roles): the one folder whose files may import each other round a circle.
const OBJECT_TYPES: &str = "src/graphql/schema/types/";
/// Stages that must not name async-graphql: the data layer knows no GraphQL type.
const NO_GRAPHQL: [&str; 2] = ["data", "domain"];

/// The table: each stage with its paths (a folder ends in `/`), in order from the top.
fn table() -> Vec<(String, Vec<String>)> {
    let doc = std::fs::read_to_string(DOC).expect("the architecture doc");
    let rows = doc.lines().skip_while(|line| line.trim() != MARKER).skip(1).skip_while(|line| line.trim().is_empty());
    let rows: Vec<&str> = rows.take_while(|line| line.starts_with('|')).skip(2).collect();
    assert!(!rows.is_empty(), "{DOC} has no layer table after {MARKER:?}");
    rows.iter()
        .map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
            let stage = cells[0].trim_matches('`').to_owned();
            let paths = cells[1].split(',').map(|path| path.trim().trim_matches('`').to_owned()).collect();
            (stage, paths)
        })
        .collect()
}

/// The stage of a file, by its path's longest prefix in the table.
fn stage_of<'t>(table: &'t [(String, Vec<String>)], file: &str) -> Option<&'t str> {
    table
        .iter()
        .flat_map(|(stage, paths)| paths.iter().map(move |path| (stage, path)))
        .filter(|(_, path)| if path.ends_with('/') { file.starts_with(path.as_str()) } else { file == path.as_str() })
        .max_by_key(|(_, path)| path.len())
        .map(|(stage, _)| stage.as_str())
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

/// The module path of a file under `src/`: `src/graphql/engine/page.rs` is `graphql::engine::page`.
fn module_of(file: &str) -> Vec<String> {
    let inner = file.trim_start_matches("src/").trim_end_matches(".rs");
    let mut segments: Vec<String> = inner.split('/').map(str::to_owned).collect();
    if matches!(segments.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        segments.pop();
    }
    segments
}

/// The file that defines the longest prefix of `module` that is a file of its own.
fn file_of(module: &[String], files: &BTreeSet<String>) -> Option<String> {
    (0..=module.len()).rev().find_map(|len| {
        let base = if len == 0 { "src/lib".to_owned() } else { format!("src/{}", module[..len].join("/")) };
        [format!("{base}.rs"), format!("{base}/mod.rs")].into_iter().find(|file| files.contains(file))
    })
}

/// Every path a file names that starts at `crate`, `super` or `self`, resolved to module paths; and whether
/// it names `async_graphql`.
#[derive(Default)]
struct Paths {
    here: Vec<String>,
    found: Vec<Vec<String>>,
    names_graphql: bool,
}

impl Paths {
    fn add(&mut self, segments: Vec<String>) {
        let Some(first) = segments.first() else { return };
        if first == "async_graphql" || first == "async_graphql_axum" || first == "async_graphql_value" {
            self.names_graphql = true;
        }
        let mut resolved = match first.as_str() {
            "crate" => Vec::new(),
            "self" => self.here.clone(),
            "super" => self.here[..self.here.len().saturating_sub(1)].to_vec(),
            _ => return,
        };
        for segment in &segments[1..] {
            if segment == "super" {
                resolved.pop();
            } else {
                resolved.push(segment.clone());
            }
        }
        self.found.push(resolved);
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => self.leaf(prefix, name.ident.to_string()),
            syn::UseTree::Rename(rename) => self.leaf(prefix, rename.ident.to_string()),
            syn::UseTree::Glob(_) => self.add(prefix.clone()),
            syn::UseTree::Group(group) => group.items.iter().for_each(|tree| self.use_tree(prefix, tree)),
        }
    }

    fn leaf(&mut self, prefix: &[String], name: String) {
        let mut segments = prefix.to_vec();
        if name != "self" {
            segments.push(name);
        }
        self.add(segments);
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    /// An inline module (`mod tests { … }`) is a module below the file's: its `super` is the file.
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.here.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.here.pop();
    }

    /// `pub(in crate::x)` says who may see an item, not what it uses.
    fn visit_vis_restricted(&mut self, _: &'ast syn::VisRestricted) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.add(path.segments.iter().map(|segment| segment.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
}

/// Every file of `src/` with its stage (if the table places it), whether it names async-graphql, and the
/// files it imports.
struct Source {
    file: String,
    stage: Option<String>,
    names_graphql: bool,
    imports: BTreeSet<String>,
}

fn sources(table: &[(String, Vec<String>)]) -> Vec<Source> {
    let mut paths = Vec::new();
    rust_files(Path::new("src"), &mut paths);
    let files: BTreeSet<String> = paths.iter().map(|path| path.to_string_lossy().replace('\\', "/")).collect();
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).expect("a source file");
            let syntax = syn::parse_file(&text).unwrap_or_else(|error| panic!("{file} parses: {error}"));
            let mut found = Paths { here: module_of(file), ..Paths::default() };
            found.visit_file(&syntax);
            let imports =
                found.found.iter().filter_map(|module| file_of(module, &files)).filter(|target| target != file);
            Source {
                file: file.clone(),
                stage: stage_of(table, file).map(str::to_owned),
                names_graphql: found.names_graphql,
                imports: imports.collect(),
            }
        })
        .collect()
}

#[test]
fn every_import_goes_down_the_layer_table() {
    let table = table();
    let order: BTreeMap<&str, usize> = table.iter().enumerate().map(|(i, (stage, _))| (stage.as_str(), i)).collect();
    assert!(order.contains_key(FOUNDATION), "the table names the {FOUNDATION} stage");
    let sources = sources(&table);
    let stages: BTreeMap<&str, &str> =
        sources.iter().filter_map(|source| Some((source.file.as_str(), source.stage.as_deref()?))).collect();

    let mut wrong = Vec::new();
    for source in &sources {
        let file = &source.file;
        let Some(stage) = source.stage.as_deref() else {
            wrong.push(format!("{file} is in no stage of the table in {DOC}"));
            continue;
        };
        if source.names_graphql && NO_GRAPHQL.contains(&stage) {
            wrong.push(format!("{file} ({stage}) names async-graphql, which only the stages above data may"));
        }
        for target in &source.imports {
            let Some(&to) = stages.get(target.as_str()) else { continue };
            let allowed = to == stage
                || (stage != FOUNDATION && (to == FOUNDATION || order[to] > order[stage]))
                || stage == table[0].0;
            if !allowed {
                wrong.push(format!("{file} ({stage}) imports {target} ({to})"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layer table of {DOC}:\n{}", wrong.join("\n"));
}

/// Files that import each other, directly or round a circle, but for a module's use of its own parent
/// (`use super::…` of what the parent declares), which is how Rust splits a module into files.
#[test]
fn no_file_imports_itself_round_a_circle() {
    let sources = sources(&table());
    let parent_of = |file: &str| {
        let folder = file.rsplit_once('/').map_or("", |(folder, _)| folder);
        let folder = if file.ends_with("/mod.rs") { folder.rsplit_once('/').map_or("", |(up, _)| up) } else { folder };
        format!("{folder}/mod.rs")
    };
    let graph: BTreeMap<&str, Vec<&str>> = sources
        .iter()
        .map(|source| {
            let parent = parent_of(&source.file);
            let imports = source.imports.iter().map(String::as_str).filter(|target| *target != parent).collect();
            (source.file.as_str(), imports)
        })
        .collect();
    let circles: Vec<String> = circles(&graph)
        .into_iter()
        .filter(|circle| !circle.iter().all(|file| file.starts_with(OBJECT_TYPES)))
        .map(|circle| circle.join(" ⇄ "))
        .collect();
    assert!(circles.is_empty(), "files that import each other round a circle:\n{}", circles.join("\n"));
}

/// The strongly connected sets of more than one file (Tarjan's algorithm).
fn circles<'g>(graph: &BTreeMap<&'g str, Vec<&'g str>>) -> Vec<Vec<&'g str>> {
    struct Walk<'g, 'a> {
        graph: &'a BTreeMap<&'g str, Vec<&'g str>>,
        index: BTreeMap<&'g str, (usize, usize)>,
        stack: Vec<&'g str>,
        found: Vec<Vec<&'g str>>,
    }
    impl<'g> Walk<'g, '_> {
        fn visit(&mut self, file: &'g str) -> usize {
            let number = self.index.len();
            self.index.insert(file, (number, number));
            self.stack.push(file);
            let mut low = number;
            for &next in self.graph.get(file).into_iter().flatten() {
                low = match self.index.get(next) {
                    None => low.min(self.visit(next)),
                    Some(&(index, _)) if self.stack.contains(&next) => low.min(index),
                    Some(_) => low,
                };
            }
            self.index.insert(file, (number, low));
            if low == number {
                let at = self.stack.iter().position(|&on| on == file).expect("on the stack");
                let circle = self.stack.split_off(at);
                if circle.len() > 1 {
                    self.found.push(circle);
                }
            }
            low
        }
    }
    let mut walk = Walk { graph, index: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for &file in graph.keys() {
        if !walk.index.contains_key(file) {
            walk.visit(file);
        }
    }
    walk.found
}

#[test]
fn module_paths_resolve_to_their_files() {
    let files: BTreeSet<String> =
        ["src/lib.rs", "src/graphql/mod.rs", "src/graphql/engine/page.rs"].into_iter().map(str::to_owned).collect();
    let module = |path: &str| path.split("::").map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        file_of(&module("graphql::engine::page::SortKey"), &files).as_deref(),
        Some("src/graphql/engine/page.rs")
    );
    assert_eq!(file_of(&module("graphql::Answer"), &files).as_deref(), Some("src/graphql/mod.rs"));
    assert_eq!(module_of("src/graphql/engine/mod.rs"), module("graphql::engine"));

    let mut paths = Paths { here: module("graphql::engine::page"), ..Paths::default() };
    let graph = BTreeMap::from([("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"])]);
    assert_eq!(circles(&graph), [vec!["a", "b", "c"]], "a circle of three, and a file that only enters it");

    let syntax: syn::File = syn::parse_str(
        "use super::{loader::X, super::error::E}; fn f() { crate::db::g(); self::h(); } mod tests { use super::*; }",
    )
    .unwrap();
    paths.visit_file(&syntax);
    let found: Vec<String> = paths.found.iter().map(|module| module.join("::")).collect();
    assert_eq!(
        found,
        [
            "graphql::engine::loader::X",
            "graphql::error::E",
            "db::g",
            "graphql::engine::page::h",
            "graphql::engine::page"
        ],
        "groups, `super`, `self`, inline paths and inline modules resolve from the file's module"
    );
}

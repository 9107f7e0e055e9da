//! The modules of `tool-runtime` form layers that point one way.
//!
//! It reads the crate's sources (the `use` lines and the `crate::`/`super::` paths in
//! code, not in comments) and fails when:
//! - a top-level module uses one declared after it in `lib.rs` (the order of the `mod`
//!   lines is the order of the layers), or
//! - the submodules of any one module use each other in a cycle.
//!
//! A child using its ancestors' items (`super::Thing`) is not counted: that is the module
//! it belongs to, not a layer beside it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path below the crate root: `["openai", "wire"]`.
type ModPath = Vec<String>;

fn source_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the source folder is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            source_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The module a file is: `src/openai/wire.rs` and `src/openai/wire/mod.rs` are both
/// `openai::wire`; `lib.rs` and `private.rs` (the `__private` module) are special.
fn module_of(src: &Path, file: &Path) -> ModPath {
    let relative = file.strip_prefix(src).expect("a file below src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    match parts.as_slice() {
        [only] if only == "lib" => Vec::new(),
        [only] if only == "private" => vec!["__private".to_owned()],
        _ => parts,
    }
}

/// The code of a file without its comments (doc links are comments, not dependencies).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string literal is rare enough in this crate's paths to ignore.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module path `code` (in module `here`) names, resolved to an absolute path.
fn references(code: &str, here: &ModPath, root_items: &BTreeMap<String, ModPath>) -> Vec<ModPath> {
    let mut found = Vec::new();
    let tokens: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{' || c == ','))
        .collect();
    for token in tokens {
        for (prefix, base) in [
            ("crate::", Vec::new()),
            ("super::", here[..here.len().saturating_sub(1)].to_vec()),
            ("self::", here.clone()),
        ] {
            let mut start = 0;
            while let Some(at) = token[start..].find(prefix) {
                let begin = start + at;
                start = begin + prefix.len();
                // `super::super::x`, `crate::a::{b, c}`: follow the segments while they are
                // lower-case names (modules); stop at a type, a brace or a function call.
                if begin > 0
                    && !token[..begin].ends_with("::")
                    && !token[..begin].ends_with('{')
                    && !token[..begin].ends_with(',')
                {
                    let before = token[..begin].chars().last();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                }
                let mut path = base.clone();
                let rest = &token[start..];
                let mut segments = rest.split("::").peekable();
                let mut first = true;
                while let Some(segment) = segments.next() {
                    let name: String = segment
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if name == "super" {
                        path.pop();
                        continue;
                    }
                    if name.is_empty() {
                        break;
                    }
                    if name.chars().next().is_some_and(char::is_uppercase) {
                        if first && prefix == "crate::" {
                            if let Some(home) = root_items.get(&name) {
                                path = home.clone();
                            }
                        }
                        break;
                    }
                    first = false;
                    path.push(name);
                    if segments.peek().is_none()
                        || segment.len() != path.last().map_or(0, String::len)
                    {
                        break;
                    }
                }
                if !path.is_empty() {
                    found.push(path);
                }
            }
        }
    }
    found
}

/// Where `lib.rs` re-exports come from: `pub use registry::{ToolRegistry, ..}` makes
/// `crate::ToolRegistry` a use of `registry`.
fn root_items(lib: &str) -> BTreeMap<String, ModPath> {
    let mut items = BTreeMap::new();
    for line in code_of(lib).lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let (path, names) = match rest.find("::{") {
            Some(at) => (&rest[..at], rest[at + 3..].trim_end_matches('}')),
            None => match rest.rfind("::") {
                Some(at) => (&rest[..at], &rest[at + 2..]),
                None => continue,
            },
        };
        let module: ModPath = path.split("::").map(str::to_owned).collect();
        if module.first().is_some_and(|first| first == "tool_macro") {
            continue;
        }
        for name in names.split(',') {
            items.insert(name.trim().to_owned(), module.clone());
        }
    }
    items
}

/// The order of the top-level `mod` lines of `lib.rs`.
fn layer_order(lib: &str) -> Vec<String> {
    code_of(lib)
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("pub mod ")
                .or_else(|| line.strip_prefix("mod "))?;
            Some(rest.trim_end_matches(';').to_owned())
        })
        .filter(|name| name != "__private")
        .collect()
}

/// The edges between siblings: for a use of `to` in `from`, the two children of their
/// deepest common module that lead to each; none when one contains the other.
fn sibling_edges(uses: &[(ModPath, ModPath)]) -> BTreeMap<ModPath, BTreeSet<(String, String)>> {
    let mut edges: BTreeMap<ModPath, BTreeSet<(String, String)>> = BTreeMap::new();
    for (from, to) in uses {
        let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
        if common == from.len() || common == to.len() {
            continue;
        }
        edges
            .entry(from[..common].to_vec())
            .or_default()
            .insert((from[common].clone(), to[common].clone()));
    }
    edges
}

fn find_cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    fn visit<'a>(
        node: &'a String,
        edges: &'a BTreeSet<(String, String)>,
        stack: &mut Vec<&'a String>,
        done: &mut BTreeSet<&'a String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = stack[at..].iter().map(|n| (*n).clone()).collect();
            cycle.push(node.clone());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node);
        for (_, next) in edges.iter().filter(|(from, _)| from == node) {
            if let Some(cycle) = visit(next, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    nodes
        .into_iter()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

fn crate_uses() -> (Vec<String>, Vec<(ModPath, ModPath)>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs is readable");
    let items = root_items(&lib);
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut uses = Vec::new();
    for file in files {
        let here = module_of(&src, &file);
        let text = std::fs::read_to_string(&file).expect("a source file is readable");
        for to in references(&code_of(&text), &here, &items) {
            uses.push((here.clone(), to));
        }
    }
    (layer_order(&lib), uses)
}

#[test]
fn each_top_level_module_uses_only_those_declared_before_it() {
    let (order, uses) = crate_uses();
    let rank = |name: &str| order.iter().position(|m| m == name);
    let mut upward = BTreeSet::new();
    for (from, to) in &uses {
        let (Some(from), Some(to)) = (from.first(), to.first()) else {
            continue;
        };
        if let (Some(a), Some(b)) = (rank(from), rank(to)) {
            if b > a {
                upward.insert(format!("{from} uses {to}, a layer above it"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "layers in lib.rs order {order:?}:\n{}",
        upward.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn no_module_has_submodules_that_use_each_other_in_a_cycle() {
    let (_, uses) = crate_uses();
    let cycles: Vec<String> = sibling_edges(&uses)
        .iter()
        .filter_map(|(parent, edges)| {
            let cycle = find_cycle(edges)?;
            Some(format!(
                "in `crate::{}`: {}",
                parent.join("::"),
                cycle.join(" -> ")
            ))
        })
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_sees_a_cycle_and_an_upward_use() {
    let items = BTreeMap::new();
    let here = vec!["openai".to_owned(), "config".to_owned()];
    let found = references(
        "use super::wire::{body, Wire};\nlet x = crate::chat::ChatDelta::Done;",
        &here,
        &items,
    );
    assert_eq!(
        found,
        [
            vec!["openai".to_owned(), "wire".to_owned()],
            vec!["chat".to_owned()]
        ]
    );
    let uses = vec![
        (here.clone(), vec!["openai".to_owned(), "wire".to_owned()]),
        (vec!["openai".to_owned(), "wire".to_owned()], here),
    ];
    let edges = sibling_edges(&uses);
    let cycle = find_cycle(&edges[&vec!["openai".to_owned()]]);
    assert_eq!(
        cycle,
        Some(vec![
            "config".to_owned(),
            "wire".to_owned(),
            "config".to_owned()
        ])
    );
}

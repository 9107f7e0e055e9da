//! The modules of `tool-runtime` form layers that point one way.
//!
//! It reads the crate's sources and resolves every path their code names (`use` trees with
//! groups, renames and any visibility, and `crate::`/`super::`/`self::` paths in code; not
//! comments, so doc links do not count) to the module that defines the item, following
//! re-exports (`pub use`, `pub(crate) use`) to the item's home. It fails when:
//! - a top-level module uses one declared after it in `lib.rs` (the order of the `mod`
//!   lines is the order of the layers), or
//! - the submodules of any one module use each other in a cycle.
//!
//! A module using its own ancestors' items is not counted: that is the module it belongs
//! to, not a layer beside it. But a name an ancestor only re-exports from a sibling is that
//! sibling's, and counts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path below the crate root: `["openai", "wire"]`.
type ModPath = Vec<String>;

/// What one module's source says about names.
#[derive(Debug, Default)]
struct Module {
    /// Submodules it declares (`mod x;`, `pub mod x;`, `mod x { .. }`).
    children: BTreeSet<String>,
    /// Names its `use` items bring in (re-exports included): name -> path as written.
    imports: BTreeMap<String, Vec<String>>,
    /// Every path its code names, as written (from `use` trees and from code).
    paths: Vec<Vec<String>>,
}

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
/// `openai::wire`; `lib.rs` is the root, `private.rs` the `__private` module.
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
            // A `//` inside a string literal is rare enough in this crate's code to ignore.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits `a, b::{c, d}, e` at the commas that are not inside braces.
fn split_top(list: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (at, c) in list.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&list[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Expands a use tree (`crate::a::{b, c::{d as e}, self}`) into (path, name bound).
fn expand_tree(prefix: &[String], tree: &str, out: &mut Vec<(Vec<String>, Option<String>)>) {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let tree = tree
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" ::", "::");
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .trim_end_matches("::")
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let inner = tree[open + 1..].trim_end().trim_end_matches('}');
        let prefix: Vec<String> = prefix.iter().cloned().chain(head).collect();
        for part in split_top(inner) {
            expand_tree(&prefix, part, out);
        }
        return;
    }
    let (path, alias) = match tree.split_once(" as ") {
        Some((path, alias)) => (path.trim(), Some(alias.trim().to_owned())),
        None => (tree.trim(), None),
    };
    let mut full: Vec<String> = prefix.to_vec();
    full.extend(path.split("::").map(str::to_owned));
    if full.last().is_some_and(|last| last == "self") {
        full.pop();
    }
    let bound = match alias {
        Some(alias) if alias == "_" => None,
        Some(alias) => Some(alias),
        None if path == "*" => None,
        None => full.last().cloned(),
    };
    out.push((full, bound));
}

/// Reads a file's module declarations, imports and named paths.
fn read_module(code: &str) -> Module {
    let mut module = Module::default();
    // `use` items, across lines: `[pub[(..)]] use TREE;`.
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        let after = &rest[at + 3..];
        let Some(end) = after.find(';') else { break };
        let mut trees = Vec::new();
        expand_tree(
            &[],
            after[..end].trim().trim_start_matches("::"),
            &mut trees,
        );
        for (path, bound) in trees {
            if let Some(name) = bound {
                module.imports.insert(name, path.clone());
            }
            module.paths.push(path);
        }
        rest = &after[end..];
    }
    for line in code.lines() {
        let line = line.trim();
        let declared = ["pub(crate) mod ", "pub(super) mod ", "pub mod ", "mod "]
            .iter()
            .find_map(|prefix| line.strip_prefix(prefix));
        if let Some(name) = declared {
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            module.children.insert(name);
        }
    }
    // Paths in code: `crate::a::B`, `super::x::y()`, `self::z`.
    let text = code;
    for prefix in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = text[from..].find(prefix) {
            let begin = from + at;
            from = begin + prefix.len();
            let before = text[..begin].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '$') {
                continue;
            }
            let path: String = text[begin..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let segments: Vec<String> = path
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            module.paths.push(segments);
        }
    }
    module
}

/// Where the word `word` starts as a whole word in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find(word) {
        let begin = from + at;
        let end = begin + word.len();
        let before = text[..begin].chars().next_back();
        let after = text[end..].chars().next();
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if boundary(before) && after.is_some_and(char::is_whitespace) {
            return Some(begin);
        }
        from = end;
    }
    None
}

struct Crate {
    modules: BTreeMap<ModPath, Module>,
}

impl Crate {
    fn read() -> (Self, Vec<String>) {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        source_files(&src, &mut files);
        let mut modules = BTreeMap::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a source file is readable");
            modules.insert(module_of(&src, &file), read_module(&code_of(&text)));
        }
        let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs is readable");
        (Self { modules }, layer_order(&lib))
    }

    /// The module that defines what `path` (written in module `here`) names, following
    /// re-exports; `None` for paths outside the crate.
    fn home(&self, here: &ModPath, path: &[String]) -> Option<ModPath> {
        self.resolve(here, path, 16)
    }

    /// [`home`](Self::home), following at most `fuel` imports (a cycle of `use`s ends).
    fn resolve(&self, here: &ModPath, path: &[String], fuel: u32) -> Option<ModPath> {
        let (mut at, rest): (ModPath, &[String]) = match path.first().map(String::as_str) {
            Some("crate") => (Vec::new(), &path[1..]),
            Some("self") => (here.clone(), &path[1..]),
            Some("super") => {
                let mut at = here.clone();
                let mut rest = path;
                while rest.first().is_some_and(|s| s == "super") {
                    at.pop();
                    rest = &rest[1..];
                }
                (at, rest)
            }
            // A name in scope: a child module, or an import of this module.
            Some(first) => {
                let module = self.modules.get(here)?;
                if module.children.contains(first) {
                    (here.clone(), path)
                } else if let Some(target) = module.imports.get(first) {
                    if target.as_slice() == path {
                        return None; // `use serde_json::Value;` itself
                    }
                    let mut whole = target.clone();
                    whole.extend_from_slice(&path[1..]);
                    return self.resolve(here, &whole, fuel.checked_sub(1)?);
                } else {
                    return None;
                }
            }
            None => return None,
        };
        self.walk(&mut at, rest, fuel)
    }

    /// Walks `rest` down from module `at`: into submodules, through re-exports, stopping at
    /// the module that defines the item.
    fn walk(&self, at: &mut ModPath, rest: &[String], fuel: u32) -> Option<ModPath> {
        let Some((first, tail)) = rest.split_first() else {
            return Some(at.clone());
        };
        let module = self.modules.get(at)?;
        if module.children.contains(first) {
            at.push(first.clone());
            return self.walk(at, tail, fuel);
        }
        if let Some(target) = module.imports.get(first) {
            if fuel == 0 {
                return Some(at.clone());
            }
            let mut whole = target.clone();
            whole.extend_from_slice(tail);
            let here = at.clone();
            // The re-export's path is written in the re-exporting module.
            return match whole.first().map(String::as_str) {
                Some("crate" | "self" | "super") => {
                    let (mut start, rest) = self.start_of(&here, &whole);
                    self.walk(&mut start, &rest, fuel - 1)
                }
                Some(name) if module.children.contains(name) => {
                    let mut start = here;
                    self.walk(&mut start, &whole, fuel - 1)
                }
                // Re-exported from another crate (`pub use tool_macro::tool`).
                _ => None,
            };
        }
        Some(at.clone())
    }

    fn start_of(&self, here: &ModPath, path: &[String]) -> (ModPath, Vec<String>) {
        let mut at = here.clone();
        let mut rest = path;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                at.clear();
                rest = &rest[1..];
            }
            Some("self") => rest = &rest[1..],
            _ => {
                while rest.first().is_some_and(|s| s == "super") {
                    at.pop();
                    rest = &rest[1..];
                }
            }
        }
        (at, rest.to_vec())
    }

    /// Every (user, home) pair of modules.
    fn uses(&self) -> Vec<(ModPath, ModPath)> {
        let mut uses = Vec::new();
        for (here, module) in &self.modules {
            for path in &module.paths {
                if let Some(home) = self.home(here, path) {
                    if &home != here {
                        uses.push((here.clone(), home));
                    }
                }
            }
        }
        uses
    }
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
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    let mut done = BTreeSet::new();
    nodes
        .into_iter()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

fn upward_uses(order: &[String], uses: &[(ModPath, ModPath)]) -> BTreeSet<String> {
    let rank = |name: &str| order.iter().position(|m| m == name);
    let mut upward = BTreeSet::new();
    for (from, to) in uses {
        let (Some(a), Some(b)) = (from.first(), to.first()) else {
            continue;
        };
        if let (Some(ra), Some(rb)) = (rank(a), rank(b)) {
            if rb > ra {
                upward.insert(format!(
                    "{} uses {}, a layer above it",
                    from.join("::"),
                    to.join("::")
                ));
            }
        }
    }
    upward
}

fn cycles(uses: &[(ModPath, ModPath)]) -> Vec<String> {
    sibling_edges(uses)
        .iter()
        .filter_map(|(parent, edges)| {
            let cycle = find_cycle(edges)?;
            Some(format!(
                "in `crate::{}`: {}",
                parent.join("::"),
                cycle.join(" -> ")
            ))
        })
        .collect()
}

#[test]
fn each_top_level_module_uses_only_those_declared_before_it() {
    let (krate, order) = Crate::read();
    let upward = upward_uses(&order, &krate.uses());
    assert!(
        upward.is_empty(),
        "layers in lib.rs order {order:?}:\n{}",
        upward.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn no_module_has_submodules_that_use_each_other_in_a_cycle() {
    let (krate, _) = Crate::read();
    let cycles = cycles(&krate.uses());
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// The checker on a made-up crate, with each form of path it must see.
#[test]
fn the_checker_sees_every_form_of_path() {
    let file = |code: &str| read_module(&code_of(code));
    let modules: BTreeMap<ModPath, Module> = [
        (
            vec![],
            file(
                "mod low;\nmod high;\npub use high::Top;\npub(crate) use high::Hidden as Renamed;",
            ),
        ),
        (
            vec!["low".into()],
            file(
                "mod a;\nmod b;\npub(crate) use a::FromA;\n\
                 use crate::{\n    high::Nested,\n};\n",
            ),
        ),
        (
            vec!["low".into(), "a".into()],
            file("use super::b::FromB;\npub struct FromA;"),
        ),
        // Uses a sibling's item through the parent's re-export: still a cycle.
        (
            vec!["low".into(), "b".into()],
            file("use super::FromA;\npub struct FromB;"),
        ),
        (
            vec!["high".into()],
            file("pub struct Top;\npub struct Hidden;\npub struct Nested;"),
        ),
    ]
    .into_iter()
    .collect();
    let krate = Crate { modules };
    let order = vec!["low".to_owned(), "high".to_owned()];
    let uses = krate.uses();
    let upward = upward_uses(&order, &uses);
    assert_eq!(
        upward.into_iter().collect::<Vec<_>>(),
        ["low uses high, a layer above it"]
    );
    assert_eq!(cycles(&uses), ["in `crate::low`: a -> b -> a"]);

    // A root re-export under another name, a rename in a group, an inline path.
    let here = vec!["low".to_owned(), "a".to_owned()];
    for written in [
        "use crate::Renamed;",
        "use crate::{high as h};",
        "fn f() { crate::Top; }",
        "use crate::{low::b, high::Nested};",
    ] {
        let module = file(written);
        let homes: Vec<ModPath> = module
            .paths
            .iter()
            .filter_map(|path| krate.home(&here, path))
            .collect();
        assert!(
            homes.contains(&vec!["high".to_owned()]),
            "{written}: {homes:?}"
        );
    }
}

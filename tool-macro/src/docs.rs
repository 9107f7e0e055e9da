//! Reading a doc comment: the description a model reads, and the `# Arguments` section.
//!
//! Rustdoc sections written for people (`# Errors`, `# Panics`, `# Examples`, `# Safety`)
//! and code blocks are left out; `# Arguments` is read for parameter descriptions: each
//! item is a parameter, wrapped lines and more deeply indented bullets continue it, and a
//! blank line ends it (prose after the list stays in the section, for people). Lines of a
//! paragraph are joined; list items and paragraphs keep their breaks.

use proc_macro2::Span;
use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// One line of a doc comment, with the span of the attribute it came from.
#[derive(Clone)]
pub struct DocLine {
    pub text: String,
    pub span: Span,
}

/// A parameter described in `# Arguments`.
pub struct ArgumentDoc {
    pub name: String,
    pub text: String,
    pub span: Span,
}

pub struct Docs {
    pub description: String,
    pub arguments: Vec<ArgumentDoc>,
}

/// The first `#[doc = ...]` among `attrs` whose value is not a string literal
/// (`include_str!`, a macro): text `#[tool]` cannot read.
pub fn opaque(attrs: &[Attribute]) -> Option<Span> {
    attrs.iter().find_map(|attr| match &attr.meta {
        Meta::NameValue(pair) if pair.path.is_ident("doc") => match &pair.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(_), ..
            }) => None,
            other => Some(syn::spanned::Spanned::span(other)),
        },
        _ => None,
    })
}

/// The lines of every `#[doc = "..."]` (`///`, `/** */`) among `attrs`, unindented.
pub fn lines(attrs: &[Attribute]) -> Vec<DocLine> {
    let mut lines = Vec::new();
    for attr in attrs {
        let Meta::NameValue(pair) = &attr.meta else {
            continue;
        };
        if !pair.path.is_ident("doc") {
            continue;
        }
        if let Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) = &pair.value
        {
            // `split`, not `lines`: an empty `///` is a blank line that ends a paragraph.
            let value = text.value();
            let mut own: Vec<&str> = value
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect();
            // A `/** ... */` comment whose lines all start with `*`: the stars are margin.
            let starred = own.len() > 1
                && own[1..]
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .all(|l| l.trim_start().starts_with('*'));
            if starred {
                for line in own.iter_mut().skip(1) {
                    let rest = line.trim_start();
                    if let Some(rest) = rest.strip_prefix('*') {
                        *line = rest.strip_prefix(' ').unwrap_or(rest);
                    }
                }
            }
            for line in own {
                lines.push(DocLine {
                    text: line.to_owned(),
                    span: text.span(),
                });
            }
        }
    }
    let indent = lines
        .iter()
        .filter(|line| !line.text.trim().is_empty())
        .map(|line| line.text.len() - line.text.trim_start().len())
        .min()
        .unwrap_or(0);
    for line in &mut lines {
        // Up to `indent` bytes of leading white space, char by char (it may be multi-byte).
        let cut = line
            .text
            .char_indices()
            .find(|&(at, c)| at >= indent || !c.is_whitespace())
            .map_or(line.text.len(), |(at, _)| at);
        line.text = line.text[cut..].trim_end().to_owned();
    }
    lines
}

/// The whole text of a parameter's own doc comment, as one paragraph.
pub fn paragraph(lines: &[DocLine]) -> String {
    join(lines.iter().map(|line| line.text.as_str()))
}

#[derive(PartialEq)]
enum Section {
    Prose,
    Arguments,
    Skipped,
}

pub fn parse(lines: &[DocLine]) -> syn::Result<Docs> {
    let mut prose: Vec<&str> = Vec::new();
    let mut arguments: Vec<ArgumentDoc> = Vec::new();
    let mut errors: Option<syn::Error> = None;
    let mut section = Section::Prose;
    let mut fence: Option<&str> = None;
    // The indentation of the `# Arguments` items, and whether the last one is still open.
    let mut item_indent: Option<usize> = None;
    let mut open = false;

    for line in lines {
        let trimmed = line.text.trim();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if let Some(marker) = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m)) {
            fence = Some(marker);
            continue;
        }
        if let Some(heading) = heading(trimmed) {
            section = match heading.to_ascii_lowercase().as_str() {
                "arguments" | "parameters" => Section::Arguments,
                "errors" | "panics" | "examples" | "example" | "safety" => Section::Skipped,
                _ => {
                    prose.push(trimmed);
                    Section::Prose
                }
            };
            continue;
        }
        match section {
            Section::Prose => prose.push(&line.text),
            Section::Skipped => {}
            Section::Arguments => {
                if trimmed.is_empty() {
                    open = false;
                    continue;
                }
                let indent = line.text.len() - line.text.trim_start().len();
                let nested =
                    item_indent.is_some_and(|outer| indent > outer) && !arguments.is_empty();
                match list_item(trimmed) {
                    Some(item) if !nested => {
                        item_indent = Some(indent);
                        open = true;
                        match argument(item) {
                            Some((name, text)) => arguments.push(ArgumentDoc {
                                name,
                                text,
                                span: line.span,
                            }),
                            None => push(&mut errors, syn::Error::new(line.span, unreadable(item))),
                        }
                    }
                    // A wrapped line, or a bullet under the item (its values, say),
                    // continues the item; after a blank line, prose is for people.
                    _ if open || nested => {
                        if let Some(last) = arguments.last_mut() {
                            last.text.push(' ');
                            last.text.push_str(trimmed);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    match errors {
        Some(error) => Err(error),
        None => Ok(Docs {
            description: join(prose.into_iter()),
            arguments,
        }),
    }
}

fn push(errors: &mut Option<syn::Error>, error: syn::Error) {
    match errors {
        Some(existing) => existing.combine(error),
        None => *errors = Some(error),
    }
}

/// The error for a `# Arguments` item [`argument`] cannot read, with the line it could be.
fn unreadable(item: &str) -> String {
    let (name, text) = item
        .split_once(char::is_whitespace)
        .map_or((item, ""), |(name, text)| (name, text.trim()));
    let name = name.trim_matches('`').trim_end_matches(':');
    let text = text.trim_start_matches(['-', ':']).trim_start();
    let fix = if text.is_empty() {
        format!("* {name} - <what it is>")
    } else {
        format!("* {name} - {text}")
    };
    format!(
        "cannot read this line of `# Arguments`: write the parameter's name, then ` - `, then its description, as in `{fix}` (the name may be in backticks; `:` may replace ` - `)"
    )
}

/// `# Title` .. `###### Title` -> `Title`.
fn heading(line: &str) -> Option<&str> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    let rest = &line[hashes..];
    ((1..=6).contains(&hashes) && rest.starts_with(' ')).then(|| rest.trim())
}

/// `* item`, `- item`, `+ item` -> `item`.
fn list_item(line: &str) -> Option<&str> {
    let mut chars = line.chars();
    let bullet = chars.next()?;
    let rest = chars.as_str();
    (matches!(bullet, '*' | '-' | '+') && rest.starts_with(' ')).then(|| rest.trim_start())
}

/// `` `name` - text ``, `name - text`, `` `name`: text `` -> (name, text).
fn argument(item: &str) -> Option<(String, String)> {
    let (name, rest) = match item.strip_prefix('`') {
        Some(quoted) => quoted.split_once('`')?,
        None => item.split_at(item.find(|c: char| c.is_whitespace() || c == ':')?),
    };
    let name = name.strip_prefix("r#").unwrap_or(name);
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    let rest = rest.trim_start();
    let text = ["-", ":", "\u{2013}", "\u{2014}"]
        .into_iter()
        .find_map(|separator| rest.strip_prefix(separator))?
        .trim();
    (valid && !text.is_empty()).then(|| (name.to_owned(), text.to_owned()))
}

/// Joins lines into text: lines of a paragraph with a space, list items on lines of their
/// own, paragraphs with a blank line.
fn join<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push_str("\n\n");
        } else if !out.is_empty() {
            let starts_item = list_item(trimmed).is_some() || numbered(trimmed);
            out.push(if starts_item { '\n' } else { ' ' });
        }
        blank = false;
        out.push_str(if list_item(trimmed).is_some() || numbered(trimmed) {
            line.trim_end()
        } else {
            trimmed
        });
    }
    out
}

fn numbered(line: &str) -> bool {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    digits > 0 && line[digits..].starts_with(". ")
}

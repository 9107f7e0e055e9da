//! Reading a doc comment: the description a model reads, and the `# Arguments` section.
//!
//! Rustdoc sections written for people (`# Errors`, `# Panics`, `# Examples`, `# Safety`)
//! and code blocks are left out; `# Arguments` is read for parameter descriptions: each
//! item is a parameter, wrapped lines and more deeply indented bullets continue it, and a
//! blank line ends it (prose after the list stays in the section, for people). Lines of a
//! paragraph are joined; list items and paragraphs keep their breaks.

use proc_macro2::Span;
use syn::{Attribute, Expr, ExprLit, Lit, Meta};

use crate::ctxt::Ctxt;

/// One line of a doc comment, with the span of the attribute it came from.
#[derive(Clone)]
pub(crate) struct DocLine {
    pub(crate) text: String,
    pub(crate) span: Span,
}

/// A parameter described in `# Arguments`.
pub(crate) struct ArgumentDoc {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) span: Span,
}

pub(crate) struct Docs {
    pub(crate) description: String,
    pub(crate) arguments: Vec<ArgumentDoc>,
}

/// The first `#[doc = ...]` among `attrs` whose value is not a string literal
/// (`include_str!`, a macro): text `#[tool]` cannot read.
pub(crate) fn opaque(attrs: &[Attribute]) -> Option<Span> {
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
pub(crate) fn lines(attrs: &[Attribute]) -> Vec<DocLine> {
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
pub(crate) fn paragraph(lines: &[DocLine]) -> String {
    join(lines.iter().map(|line| line.text.as_str()))
}

#[derive(PartialEq)]
enum Section {
    Prose,
    Arguments,
    Skipped,
}

/// Reads a function's doc comment. An `# Arguments` item it cannot read is reported, and
/// then there are no `Docs`: what the comment says about the parameters is not known.
pub(crate) fn parse(cx: &Ctxt, lines: &[DocLine]) -> Option<Docs> {
    let mut prose: Vec<&str> = Vec::new();
    let mut arguments: Vec<ArgumentDoc> = Vec::new();
    let mut readable = true;
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
                            None => {
                                readable = false;
                                cx.error_at(line.span, unreadable(item));
                            }
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
    readable.then(|| Docs {
        description: join(prose.into_iter()),
        arguments,
    })
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
    // `r#type` names the parameter the model knows as `type` (see `ast::unraw`).
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines of a `///` comment, as `lines` reads them from the attributes.
    fn doc_lines(text: &str) -> Vec<DocLine> {
        let attrs: Vec<Attribute> = text
            .lines()
            .map(|line| {
                let line = format!(" {line}");
                syn::parse_quote!(#[doc = #line])
            })
            .collect();
        lines(&attrs)
    }

    /// The docs read from `text`, or the messages of the errors reported.
    fn read(text: &str) -> Result<Docs, Vec<String>> {
        let cx = Ctxt::new();
        let docs = parse(&cx, &doc_lines(text));
        match (cx.check(), docs) {
            (Ok(()), Some(docs)) => Ok(docs),
            (Err(errors), None) => Err(errors.into_iter().map(|e| e.to_string()).collect()),
            (result, docs) => panic!(
                "errors and docs disagree: {:?} / {}",
                result.err().map(|e| e.to_string()),
                docs.is_some()
            ),
        }
    }

    fn arguments(docs: &Docs) -> Vec<(&str, &str)> {
        (docs.arguments.iter())
            .map(|a| (a.name.as_str(), a.text.as_str()))
            .collect()
    }

    #[test]
    fn description_is_the_prose() {
        let docs = read("Gets the weather.").ok().unwrap();
        assert_eq!(docs.description, "Gets the weather.");
        assert!(docs.arguments.is_empty());
    }

    #[test]
    fn lines_of_a_paragraph_are_joined_and_paragraphs_kept() {
        let docs = read("Gets the weather\nof a city.\n\nIn Celsius.")
            .ok()
            .unwrap();
        assert_eq!(
            docs.description,
            "Gets the weather of a city.\n\nIn Celsius."
        );
    }

    #[test]
    fn list_items_keep_their_lines() {
        let docs = read("Units:\n- celsius\n- fahrenheit\n1. first\n2. second")
            .ok()
            .unwrap();
        assert_eq!(
            docs.description,
            "Units:\n- celsius\n- fahrenheit\n1. first\n2. second"
        );
    }

    #[test]
    fn common_indentation_is_removed() {
        let lines = doc_lines("  Indented\n    more");
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Indented", "  more"]);
    }

    #[test]
    fn starred_block_comment_margins_are_removed() {
        let attr: Attribute =
            syn::parse_quote!(#[doc = "\n * Gets the weather.\n * In Celsius.\n "]);
        let texts: Vec<String> = lines(&[attr]).into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["", "Gets the weather.", "In Celsius.", ""]);
    }

    #[test]
    fn argument_forms() {
        let docs = read(
            "Does it.\n\n# Arguments\n\n* `city` - The city.\n* unit - The unit.\n- `days`: How many days.\n+ r#type — The kind.",
        )
        .ok()
        .unwrap();
        assert_eq!(docs.description, "Does it.");
        assert_eq!(
            arguments(&docs),
            [
                ("city", "The city."),
                ("unit", "The unit."),
                ("days", "How many days."),
                ("type", "The kind."),
            ]
        );
    }

    #[test]
    fn parameters_heading_is_arguments_too() {
        let docs = read("Does it.\n\n## Parameters\n* `city` - The city.")
            .ok()
            .unwrap();
        assert_eq!(arguments(&docs), [("city", "The city.")]);
    }

    #[test]
    fn wrapped_lines_and_nested_bullets_continue_an_item() {
        let docs = read(
            "Does it.\n\n# Arguments\n* `unit` - The unit,\n  in lower case:\n  - `c`\n  - `f`\n* `city` - The city.",
        )
        .ok()
        .unwrap();
        assert_eq!(
            arguments(&docs),
            [
                ("unit", "The unit, in lower case: - `c` - `f`"),
                ("city", "The city."),
            ]
        );
    }

    #[test]
    fn prose_after_the_list_is_for_people() {
        let docs = read("Does it.\n\n# Arguments\n* `city` - The city.\n\nSee also the docs.")
            .ok()
            .unwrap();
        assert_eq!(arguments(&docs), [("city", "The city.")]);
        assert_eq!(docs.description, "Does it.");
    }

    #[test]
    fn sections_for_people_are_left_out() {
        for heading in ["Errors", "Panics", "Examples", "Example", "Safety"] {
            let text = format!("Does it.\n\n# {heading}\n\nSomething for people.");
            let docs = read(&text).ok().unwrap();
            assert_eq!(docs.description, "Does it.", "{heading}");
        }
    }

    #[test]
    fn other_sections_stay_in_the_description() {
        let docs = read("Does it.\n\n# Units\n\nCelsius.").ok().unwrap();
        assert_eq!(docs.description, "Does it.\n\n# Units\n\nCelsius.");
    }

    #[test]
    fn code_blocks_are_left_out() {
        let docs = read("Does it.\n\n```\nlet x = 1;\n```\n\n~~~text\n# Arguments\n~~~\nMore.")
            .ok()
            .unwrap();
        assert_eq!(docs.description, "Does it.\n\nMore.");
        assert!(docs.arguments.is_empty());
    }

    #[test]
    fn an_unreadable_item_is_an_error_with_a_fix() {
        let errors = read("Does it.\n\n# Arguments\n* `city` the city\n* `unit`")
            .err()
            .unwrap();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].contains("`* city - the city`"), "{}", errors[0]);
        assert!(
            errors[1].contains("`* unit - <what it is>`"),
            "{}",
            errors[1]
        );
    }

    #[test]
    fn duplicate_and_unknown_names_are_read_for_validation() {
        // `docs` reads every item; a name given twice, or not a parameter, is reported by
        // `valid`, which knows the parameters.
        let docs =
            read("Does it.\n\n# Arguments\n* `city` - One.\n* `city` - Two.\n* `nope` - Three.")
                .ok()
                .unwrap();
        assert_eq!(
            arguments(&docs),
            [("city", "One."), ("city", "Two."), ("nope", "Three.")]
        );
    }

    #[test]
    fn a_parameter_paragraph_is_one_line() {
        let lines = doc_lines("The city,\nas its name.");
        assert_eq!(paragraph(&lines), "The city, as its name.");
    }
}

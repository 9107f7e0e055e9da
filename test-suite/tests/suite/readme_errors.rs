//! The compiler errors the README quotes are ones the macro gives: every `error` line of a
//! ```` ```text ```` block in its "Compile errors" section is, verbatim, a line of one of
//! the trybuild cases' expected outputs (`test-ui/tests/ui/fail/*.stderr`), which
//! `cargo test -p test-ui` checks against the compiler. A message changed in the macro then
//! fails here until the README quotes the new one.

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace's root: this package's parent.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("test-suite is in the workspace")
        .to_path_buf()
}

/// The text of the section headed `heading` (a `## ` line), up to the next `## ` heading.
fn section<'a>(markdown: &'a str, heading: &str) -> Option<&'a str> {
    let start = markdown.find(&format!("\n## {heading}\n"))? + 1;
    let body = &markdown[start..];
    let heading_len = body.find('\n').map_or(body.len(), |end| end + 1);
    let end = body[heading_len..]
        .find("\n## ")
        .map_or(body.len(), |end| heading_len + end + 1);
    Some(&body[..end])
}

/// The lines starting with `error` of the section's ```` ```text ```` blocks.
fn quoted_errors(section: &str) -> Vec<&str> {
    let mut errors = Vec::new();
    // The open block, if any: whether it is a `text` one.
    let mut open: Option<bool> = None;
    for line in section.lines() {
        if let Some(info) = line.strip_prefix("```") {
            // A fence closes the open block, or opens one with its info string.
            open = match open {
                Some(_) => None,
                None => Some(info.trim() == "text"),
            };
            continue;
        }
        if open == Some(true) && line.starts_with("error") {
            errors.push(line);
        }
    }
    errors
}

/// Every line of every `.stderr` file in `dir`.
fn stderr_lines(dir: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    let entries = fs::read_dir(dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|extension| extension == "stderr")
        {
            let text = fs::read_to_string(&path).unwrap();
            lines.extend(text.lines().map(str::to_owned));
        }
    }
    lines
}

#[test]
fn readme_compile_errors_are_the_macros() {
    let root = workspace();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let section =
        section(&readme, "Compile errors").expect("the README has a \"Compile errors\" section");
    let quoted = quoted_errors(section);
    assert!(
        !quoted.is_empty(),
        "the README's \"Compile errors\" section quotes no error in a ```text block"
    );

    let known = stderr_lines(&root.join("test-ui/tests/ui/fail"));
    assert!(
        !known.is_empty(),
        "no .stderr file in test-ui/tests/ui/fail"
    );
    let stale: Vec<&str> = quoted
        .into_iter()
        .filter(|line| !known.iter().any(|known| known == line))
        .collect();
    assert!(
        stale.is_empty(),
        "the README quotes errors that no test-ui/tests/ui/fail/*.stderr has (quote the macro's \
         current message, or add a trybuild case for it):\n{}",
        stale.join("\n")
    );
}

#[test]
fn finds_the_errors_of_text_blocks_only() {
    let markdown = "# Title\n\n## Compile errors\n\nSome prose; error here is not quoted.\n\n\
                    ```text\nerror: one\n  --> here\nerror[E0277]: two\n```\n\n\
                    ```rust\nerror: not text\n```\n\n```text\nerror: three\n```\n\n\
                    ## Next\n\n```text\nerror: another section\n```\n";
    let found = section(markdown, "Compile errors").unwrap();
    assert!(found.starts_with("## Compile errors\n"));
    assert!(!found.contains("## Next"));
    assert_eq!(
        quoted_errors(found),
        ["error: one", "error[E0277]: two", "error: three"]
    );
    assert_eq!(section(markdown, "Missing"), None);
}

//! The `tools` example: an example's registry printed in any format, checked against
//! every format's rules, or as its drift-check snapshot. Its functions are called as
//! `main` calls them (cargo gives tests no path to an example's binary).

use crate::support::deep;
use examples::tools_cli;

use std::collections::HashMap;

use serde_json::Value;
use tool_runtime::format::SchemaForm;
use tool_runtime::{tool, ToolFormat, ToolRegistry};

fn args(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

fn run(line: &str) -> Result<(String, bool), String> {
    tools_cli::run(&tools_cli::parse(args(line))?)
}

#[test]
fn prints_an_example_in_each_format_and_form() {
    for format in ToolFormat::ALL {
        for (flag, form) in [("", SchemaForm::Declared), (" --plain", SchemaForm::Plain)] {
            let (printed, ok) = run(&format!("task_planner --format {format}{flag}")).unwrap();
            assert!(ok);
            let expected = tools_cli::registry("task_planner")
                .unwrap()
                .export_with(format, form);
            assert_eq!(
                serde_json::from_str::<Value>(&printed).unwrap(),
                expected,
                "{format}{flag}"
            );
            assert!(printed.starts_with("[\n  {\n"), "pretty-printed");
        }
    }
    let (printed, _) = run("weather").unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&printed).unwrap(),
        tools_cli::registry("weather")
            .unwrap()
            .export(ToolFormat::OpenAiChat),
        "OpenAI Chat, declared, by default"
    );
    let (printed, _) = run("weather --snapshot").unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&printed).unwrap(),
        tools_cli::registry("weather").unwrap().snapshot()
    );
}

#[test]
fn checks_every_format_or_one() {
    assert_eq!(
        run("task_planner --check").unwrap(),
        (
            "openai-chat: ok\nopenai-responses: ok\nanthropic: ok\ngemini: ok\ngemini-openapi: ok\nmcp: ok"
                .to_owned(),
            true
        )
    );
    assert_eq!(
        run("weather --check --format mcp").unwrap(),
        ("mcp: ok".to_owned(), true)
    );
}

/// Set labels on the document.
///
/// # Arguments
/// * `labels` - The labels, by name.
#[tool]
fn set_labels(labels: HashMap<String, String>) -> String {
    format!("{} labels", labels.len())
}

#[test]
fn a_failed_check_says_what_and_fails() {
    let mut registry = ToolRegistry::new();
    registry.register(SetLabels).unwrap();
    let options = tools_cli::parse(args("any --check --format gemini-openapi")).unwrap();
    assert_eq!(
        tools_cli::report(&registry, &options),
        (
            "2 violation(s) of the gemini-openapi rules:\n  \
             - tool `set_labels` at /parameters/properties/labels: `additionalProperties` is not in the OpenAPI subset of Gemini's `parameters`\n  \
             - tool `set_labels` at /parameters/properties/labels: an object without `properties` (a map, or any object) cannot be declared here"
                .to_owned(),
            false
        )
    );
}

#[test]
fn help_prints_the_usage_and_succeeds() {
    for line in ["--help", "-h", "weather --help"] {
        let (text, ok) = run(line).expect("help is not an error");
        assert!(ok, "{line}");
        assert!(text.starts_with("Usage: tools EXAMPLE"), "{line}: {text}");
    }
}

#[test]
fn bad_command_lines_say_why() {
    for (line, error) in [
        ("", "which EXAMPLE?"),
        ("weather task_planner", "one EXAMPLE only, got also \"task_planner\""),
        ("weather --format", "--format needs a FORMAT"),
        (
            "weather --format claude",
            "unknown tool format `claude`; use one of openai-chat, openai-responses, anthropic, gemini, gemini-openapi, mcp",
        ),
        ("weather --verbose", "unknown option --verbose"),
        ("nope", "unknown example \"nope\"; use weather or task_planner"),
    ] {
        assert_eq!(run(line).unwrap_err(), error, "{line:?}");
    }
}

/// `--check` checks what is printed; a tool too deep for strict mode is printed plain in
/// both forms.
#[test]
fn a_tool_too_deep_for_strict_mode_passes_in_both_forms() {
    // Too deep for OpenAI's strict mode: it has no strict form, so the declared export is
    // the plain one, and both pass the check.
    let mut registry = ToolRegistry::new();
    registry.register(deep::StoreDeep).unwrap();
    for flags in ["", " --plain"] {
        let options =
            tools_cli::parse(args(&format!("any --check --format openai-chat{flags}"))).unwrap();
        assert_eq!(
            tools_cli::report(&registry, &options),
            ("openai-chat: ok".to_owned(), true),
            "{flags}"
        );
    }
    assert_eq!(
        registry.export(ToolFormat::OpenAiChat)[0]["function"].get("strict"),
        None
    );
}

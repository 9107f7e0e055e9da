//! The `tools` example's logic (`examples/tools.rs`): prints an example's tools in any
//! provider's format, checks them against the provider's rules, or prints the snapshot the
//! drift check compares with.

use crate::{tasks, weather};
use tool_runtime::format::SchemaForm;
use tool_runtime::validate::{ValidationError, Validator};
use tool_runtime::{ToolFormat, ToolRegistry};

/// How to use it.
pub const USAGE: &str = "\
Usage: tools EXAMPLE [--format FORMAT] [--plain] [--check | --snapshot]
       tools --help

  EXAMPLE         weather | task_planner
  --format F      openai-chat (default), openai-responses, anthropic, gemini,
                  gemini-openapi, mcp
  --plain         the plain schema form (optionals may be omitted), not the declared one
  --check         check the tools (in the form printed) against the rules of F (of
                  every format without --format); exit code 1 when any is broken
  --snapshot      print the document the drift check (assert_snapshot) compares with";

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub struct Options {
    example: String,
    format: Option<ToolFormat>,
    form: SchemaForm,
    action: Action,
}

#[derive(Debug, PartialEq)]
enum Action {
    Help,
    Print,
    Check,
    Snapshot,
}

/// Reads the arguments (without the program name).
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut args = args.into_iter();
    let mut options = Options {
        example: String::new(),
        format: None,
        form: SchemaForm::Declared,
        action: Action::Print,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--format" => {
                let name = args.next().ok_or("--format needs a FORMAT")?;
                options.format = Some(name.parse().map_err(|e| format!("{e}"))?);
            }
            "-h" | "--help" => {
                options.action = Action::Help;
                return Ok(options);
            }
            "--plain" => options.form = SchemaForm::Plain,
            "--check" => options.action = Action::Check,
            "--snapshot" => options.action = Action::Snapshot,
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ if options.example.is_empty() => options.example = arg,
            _ => return Err(format!("one EXAMPLE only, got also {arg:?}")),
        }
    }
    if options.example.is_empty() {
        return Err("which EXAMPLE?".into());
    }
    Ok(options)
}

/// The example's registry. The task planner's tools need a store; an empty one in
/// memory will do for their definitions.
pub fn registry(example: &str) -> Result<ToolRegistry, String> {
    match example {
        "weather" => Ok(weather::registry()),
        "task_planner" => {
            let store = tasks::Store::in_memory().map_err(|e| e.to_string())?;
            tasks::registry(store).map_err(|e| e.to_string())
        }
        other => Err(format!(
            "unknown example {other:?}; use weather or task_planner"
        )),
    }
}

/// What to print for the example's registry, and whether it is a success.
pub fn run(options: &Options) -> Result<(String, bool), String> {
    if options.action == Action::Help {
        return Ok((USAGE.to_owned(), true));
    }
    Ok(report(&registry(&options.example)?, options))
}

/// What to print for `registry`, and whether it is a success.
pub fn report(registry: &ToolRegistry, options: &Options) -> (String, bool) {
    let pretty = |value: &serde_json::Value| {
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    };
    match options.action {
        Action::Help => (USAGE.to_owned(), true),
        Action::Print => {
            let format = options.format.unwrap_or(ToolFormat::OpenAiChat);
            (pretty(&registry.export_with(format, options.form)), true)
        }
        Action::Snapshot => (pretty(&registry.snapshot()), true),
        Action::Check => {
            let formats = match options.format {
                Some(format) => vec![format],
                None => ToolFormat::ALL.to_vec(),
            };
            let mut lines = Vec::new();
            let mut ok = true;
            for format in formats {
                // The form printed is the form checked (`--plain`).
                let export = registry.export_with(format, options.form);
                let violations = Validator::new(format).check(&export);
                if violations.is_empty() {
                    lines.push(format!("{format}: ok"));
                } else {
                    ok = false;
                    lines.push(ValidationError { format, violations }.to_string());
                }
            }
            (lines.join("\n"), ok)
        }
    }
}

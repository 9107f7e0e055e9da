//! The parts of a definition around its schema: where each format keeps the name and the
//! schema, and the rules for names.

use serde_json::Value;

use super::report::Report;
use super::schema::{self, Dialect};
use super::{Limits, Violation};
use crate::format::ToolFormat;

/// Where the name is, by format.
pub(super) fn name_pointer(format: ToolFormat) -> &'static str {
    match format {
        ToolFormat::OpenAiChat => "/function/name",
        _ => "/name",
    }
}

/// The tool's name, or empty when it has none.
pub(super) fn name_of(format: ToolFormat, tool: &Value) -> String {
    tool.pointer(name_pointer(format))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The tool definitions of a whole export, and what is wrong with its shape.
pub(super) fn tools_of(format: ToolFormat, export: &Value) -> (Vec<Value>, Vec<Violation>) {
    let shape = |message: &str| Violation {
        tool: String::new(),
        pointer: "/".into(),
        message: message.into(),
    };
    let Some(items) = export.as_array() else {
        return (Vec::new(), vec![shape("an export is an array of tools")]);
    };
    match format {
        ToolFormat::Gemini | ToolFormat::GeminiOpenApi => {
            let mut declarations = Vec::new();
            for item in items {
                match item.get("functionDeclarations") {
                    Some(Value::Array(found)) => declarations.extend(found.iter().cloned()),
                    Some(_) => {
                        return (
                            Vec::new(),
                            vec![shape("`functionDeclarations` must be an array")],
                        )
                    }
                    // Other tools (`googleSearch`, `codeExecution`) have no declarations.
                    None => {}
                }
            }
            (declarations, Vec::new())
        }
        _ => (items.clone(), Vec::new()),
    }
}

pub(super) fn check_tool(format: ToolFormat, limits: &Limits, tool: &Value) -> Vec<Violation> {
    let name = name_of(format, tool);
    let mut report = Report {
        tool: &name,
        violations: Vec::new(),
    };
    if !tool.is_object() {
        report.push("", "a tool definition is a JSON object");
        return report.violations;
    }
    let base = match format {
        ToolFormat::OpenAiChat => {
            if tool.get("type").and_then(Value::as_str) != Some("function") {
                report.push("/type", "must be \"function\"");
            }
            if !tool.get("function").is_some_and(Value::is_object) {
                report.push("/function", "the function is missing");
                return report.violations;
            }
            "/function"
        }
        ToolFormat::OpenAiResponses => {
            if tool.get("type").and_then(Value::as_str) != Some("function") {
                report.push("/type", "must be \"function\"");
            }
            ""
        }
        _ => "",
    };
    let at = |key: &str| format!("{base}/{key}");
    let get = |key: &str| tool.pointer(&at(key));
    check_name(
        format,
        limits,
        &name,
        get("name"),
        name_pointer(format),
        &mut report,
    );
    if let Some(description) = get("description") {
        if !description.is_string() {
            report.push(&at("description"), "the description must be a string");
        }
    }
    let strict = get("strict") == Some(&Value::Bool(true));
    let mut check = |key: &str, dialect: Dialect, required: bool| match get(key) {
        Some(parameters) => schema::check(parameters, &at(key), dialect, limits, &mut report),
        None if required => report.push(&at(key), "the schema is missing"),
        None => {}
    };
    match format {
        ToolFormat::OpenAiChat | ToolFormat::OpenAiResponses => {
            let dialect = if strict {
                Dialect::OpenAiStrict
            } else {
                Dialect::Plain
            };
            check("parameters", dialect, false);
        }
        ToolFormat::Anthropic => {
            let dialect = if strict {
                Dialect::AnthropicStrict
            } else {
                Dialect::Plain
            };
            check("input_schema", dialect, true);
        }
        ToolFormat::Gemini | ToolFormat::GeminiOpenApi => {
            check("parametersJsonSchema", Dialect::Plain, false);
            check("parameters", Dialect::OpenApi, false);
            if get("parameters").is_some() && get("parametersJsonSchema").is_some() {
                report.push(
                    &at("parameters"),
                    "`parameters` and `parametersJsonSchema` cannot both be set",
                );
            }
        }
        ToolFormat::Mcp => {
            check("inputSchema", Dialect::Plain, true);
            check("outputSchema", Dialect::Plain, false);
            check_annotations(get("annotations"), &mut report);
        }
    }
    report.violations
}

fn check_name(
    format: ToolFormat,
    limits: &Limits,
    name: &str,
    value: Option<&Value>,
    pointer: &str,
    report: &mut Report<'_>,
) {
    if !value.is_some_and(Value::is_string) {
        report.push(pointer, "the name is missing");
        return;
    }
    let max = limits.max_name_length;
    let length_ok = !name.is_empty() && name.chars().count() <= max;
    let (ok, rule) = match format {
        ToolFormat::OpenAiChat | ToolFormat::OpenAiResponses | ToolFormat::Anthropic => (
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            format!("the name must match ^[a-zA-Z0-9_-]{{1,{max}}}$"),
        ),
        ToolFormat::Gemini | ToolFormat::GeminiOpenApi => (
            name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c)),
            format!(
                "the name must start with a letter or `_` and have only letters, digits, \
                 `_`, `.`, `:` and `-`, at most {max} characters"
            ),
        ),
        ToolFormat::Mcp => (
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)),
            format!("the name should have 1 to {max} of letters, digits, `_`, `.` and `-`"),
        ),
    };
    if !(ok && length_ok) {
        report.push(pointer, rule);
    }
}

/// MCP's four hints, each a boolean.
fn check_annotations(annotations: Option<&Value>, report: &mut Report<'_>) {
    const HINTS: &[&str] = &[
        "readOnlyHint",
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
    ];
    let Some(annotations) = annotations else {
        return;
    };
    let Some(annotations) = annotations.as_object() else {
        report.push("/annotations", "annotations must be an object");
        return;
    };
    for (key, value) in annotations {
        let pointer = format!("/annotations/{key}");
        if HINTS.contains(&key.as_str()) && !value.is_boolean() {
            report.push(&pointer, "a hint must be true or false");
        } else if key == "title" && !value.is_string() {
            report.push(&pointer, "the title must be a string");
        }
    }
}

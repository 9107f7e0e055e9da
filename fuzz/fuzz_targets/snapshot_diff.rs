//! The drift check's diff (`ToolRegistry::check_snapshot`) between two arbitrary
//! snapshots: the committed one is any JSON in a file, the current one a registry of
//! hand-made tools with any names, descriptions and parameter schemas. No panic; an equal
//! snapshot passes; a different one is `Changed` with at least one line.
//!
//! The input is a JSON array `[committed, [tool, ...]]`, each tool
//! `{"name", "description", "parameters"}` (the seeds are), or bytes to build one from.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tool_runtime::snapshot::SnapshotError;
use tool_runtime::tool::{ToolFuture, ToolInput};
use tool_runtime::{Tool, ToolDefinition, ToolRegistry};
use tool_runtime_fuzz::json;

const VOCABULARY: &[&str] = &[
    "name",
    "description",
    "parameters",
    "markers",
    "strict",
    "output",
    "type",
    "object",
    "string",
    "integer",
    "number",
    "boolean",
    "array",
    "null",
    "properties",
    "required",
    "items",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "$ref",
    "$defs",
    "#/$defs/a",
    "a",
    "b",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "default",
    "additionalProperties",
    "destructive",
    "read_only",
    "add_task",
];

/// A tool made of a definition alone.
struct Made(ToolDefinition);

impl Tool for Made {
    const NAME: &'static str = "made";

    fn definition(&self) -> &ToolDefinition {
        &self.0
    }

    fn call<'a>(&'a self, _input: ToolInput<'a>) -> ToolFuture<'a> {
        ToolFuture::ready(Ok(String::new()))
    }
}

fn path() -> PathBuf {
    std::env::temp_dir().join(format!("fuzz-snapshot-{}.json", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let input = json::value(data, VOCABULARY);
    let (committed, tools) = match &input {
        Value::Array(items) if items.len() == 2 => (items[0].clone(), items[1].clone()),
        other => (other.clone(), json!([other])),
    };
    let mut registry = ToolRegistry::new();
    for tool in tools.as_array().into_iter().flatten() {
        let text = |key: &str| {
            tool.get(key)
                .and_then(Value::as_str)
                .unwrap_or("a")
                .to_owned()
        };
        let parameters = tool.get("parameters").cloned().unwrap_or(Value::Null);
        let definition = ToolDefinition::new(text("name"), text("description"), parameters);
        // Names no provider takes, and duplicates, are refused: that is fine.
        let _ = registry.register(Made(definition));
    }
    let path = path();
    if std::fs::write(&path, committed.to_string()).is_err() {
        return;
    }
    match registry.check_snapshot(&path) {
        Ok(()) => assert_eq!(
            committed,
            registry.snapshot(),
            "only an equal snapshot passes"
        ),
        Err(SnapshotError::Changed { changes, .. }) => {
            assert!(!changes.is_empty(), "a change is reported in words");
            assert_ne!(committed, registry.snapshot());
        }
        Err(other) => panic!("a written JSON file is read: {other}"),
    }
    // The equal snapshot passes.
    if std::fs::write(&path, registry.snapshot().to_string()).is_ok() {
        assert!(
            registry.check_snapshot(&path).is_ok(),
            "the registry matches its own snapshot"
        );
    }
});

//! One definition, every provider: the catalogue's tools exported in each format,
//! compared whole.
//!
//! - Rules that tie formats together, over the whole catalogue (docs/providers.md): the
//!   Responses tool is the Chat function flattened, with `strict` always spelled out; MCP,
//!   Gemini's `parametersJsonSchema` and Anthropic's plain `input_schema` carry the plain
//!   schema as it is.
//! - Hand-written documents for the tools whose transforms differ: Anthropic's strict
//!   form (bounds said in descriptions, optionals left optional, no strict form for
//!   recursion), Gemini's OpenAPI subset, MCP's annotations.
//! - The whole catalogue in every format, compared with the committed files under
//!   `tests/snapshots/formats/` (`UPDATE_SNAPSHOTS=1` rewrites them; the diff is reviewed).

use crate::support::signatures;

use serde_json::{json, Value};
use tool_runtime::format::SchemaForm;
use tool_runtime::{tool, ToolFormat, ToolRegistry};

fn export(format: ToolFormat, name: &str) -> Value {
    let registry = signatures::registry();
    let definition = registry
        .definition(name)
        .unwrap_or_else(|| panic!("no tool `{name}` in the catalogue"));
    definition.export(format, SchemaForm::Declared)
}

fn assert_same(actual: &Value, expected: &Value, what: &str) {
    assert!(
        actual == expected,
        "{what} differs\n--- actual:\n{}\n--- expected:\n{}",
        serde_json::to_string_pretty(actual).unwrap(),
        serde_json::to_string_pretty(expected).unwrap(),
    );
}

#[test]
fn responses_tools_are_chat_functions_flattened_with_strict_spelled_out() {
    let registry = signatures::registry();
    for form in [SchemaForm::Declared, SchemaForm::Plain] {
        let chat = registry.export_with(ToolFormat::OpenAiChat, form);
        let responses = registry.export_with(ToolFormat::OpenAiResponses, form);
        let expected: Vec<Value> = chat
            .as_array()
            .unwrap()
            .iter()
            .map(|tool| {
                let function = &tool["function"];
                json!({
                    "type": "function",
                    "name": function["name"],
                    "description": function["description"],
                    "parameters": function["parameters"],
                    "strict": function.get("strict").cloned().unwrap_or(json!(false)),
                })
            })
            .collect();
        assert_same(
            &responses,
            &Value::Array(expected),
            &format!("Responses ({form:?})"),
        );
    }
}

#[test]
fn mcp_gemini_and_plain_anthropic_carry_the_plain_schema() {
    let registry = signatures::registry();
    let declarations = registry.export(ToolFormat::Gemini);
    let declarations = declarations[0]["functionDeclarations"].as_array().unwrap();
    let mcp = registry.export(ToolFormat::Mcp);
    let anthropic = registry.export_with(ToolFormat::Anthropic, SchemaForm::Plain);
    for (index, definition) in registry.definitions().enumerate() {
        let (name, description) = (definition.name(), definition.description());
        let plain = definition.parameters();
        assert_same(
            &declarations[index],
            &json!({"name": name, "description": description, "parametersJsonSchema": plain}),
            name,
        );
        assert_same(
            &mcp[index],
            &json!({"name": name, "description": description, "inputSchema": plain}),
            name,
        );
        assert_same(
            &anthropic[index],
            &json!({"name": name, "description": description, "input_schema": plain}),
            name,
        );
    }
}

#[test]
fn weather_in_every_format() {
    let plain = json!({
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA."},
            "unit": {"type": ["string", "null"], "enum": ["celsius", "fahrenheit", null],
                     "description": "The temperature unit to use; omit it for the city's usual unit."}
        },
        "required": ["location"],
        "additionalProperties": false
    });
    let mut strict = plain.clone();
    strict["required"] = json!(["location", "unit"]);
    let description = "Get the current weather in a given location.";
    let expected = [
        (
            ToolFormat::OpenAiChat,
            json!({"type": "function", "function": {
            "name": "get_current_weather", "description": description, "parameters": strict, "strict": true}}),
        ),
        (
            ToolFormat::OpenAiResponses,
            json!({"type": "function", "name": "get_current_weather",
            "description": description, "parameters": strict, "strict": true}),
        ),
        // Anthropic's strict mode keeps `required`: the optional stays optional.
        (
            ToolFormat::Anthropic,
            json!({"name": "get_current_weather", "description": description,
            "input_schema": plain, "strict": true}),
        ),
        (
            ToolFormat::Gemini,
            json!({"name": "get_current_weather", "description": description,
            "parametersJsonSchema": plain}),
        ),
        (
            ToolFormat::GeminiOpenApi,
            json!({"name": "get_current_weather", "description": description,
            "parameters": {
                "type": "OBJECT",
                "properties": {
                    "location": {"type": "STRING", "description": "The city and state, e.g. San Francisco, CA."},
                    "unit": {"type": "STRING", "format": "enum", "enum": ["celsius", "fahrenheit"], "nullable": true,
                             "description": "The temperature unit to use; omit it for the city's usual unit."}
                },
                "required": ["location"]
            }}),
        ),
        (
            ToolFormat::Mcp,
            json!({"name": "get_current_weather", "description": description,
            "inputSchema": plain}),
        ),
    ];
    for (format, document) in expected {
        assert_same(
            &export(format, "get_current_weather"),
            &document,
            &format!("{format}"),
        );
    }
}

#[test]
fn anthropic_strict_says_bounds_in_descriptions() {
    assert_same(
        &export(ToolFormat::Anthropic, "render"),
        &json!({
            "name": "render",
            "description": "Render the report.",
            "input_schema": {
                "type": "object",
                "properties": {
                    "settings": {
                        "type": "object",
                        "description": "How to render it.",
                        "properties": {
                            "title": {"type": "string", "description": "The report's title."},
                            "charts": {"type": "boolean", "description": "Whether to draw charts.", "default": false},
                            "rows": {"type": "integer", "description": "Rows per page. (at least 0, at most 255)", "default": 50}
                        },
                        "required": ["title"],
                        "additionalProperties": false
                    }
                },
                "required": ["settings"],
                "additionalProperties": false
            },
            "strict": true
        }),
        "render",
    );
    assert_same(
        &export(ToolFormat::Anthropic, "initial_of"),
        &json!({
            "name": "initial_of",
            "description": "Find the people whose name starts with a letter.",
            "input_schema": {
                "type": "object",
                "properties": {
                    "letter": {"type": "string", "pattern": "^[\\s\\S]{1}$", "description": "The first letter of the name."}
                },
                "required": ["letter"],
                "additionalProperties": false
            },
            "strict": true
        }),
        "initial_of",
    );
}

/// Recursion has no Anthropic strict form, though OpenAI's strict mode takes it.
#[test]
fn anthropic_gets_a_recursive_type_plain() {
    let chat = export(ToolFormat::OpenAiChat, "count_nodes");
    assert_eq!(chat["function"]["strict"], true);
    let registry = signatures::registry();
    let plain = registry
        .definition("count_nodes")
        .unwrap()
        .parameters()
        .clone();
    assert_same(
        &export(ToolFormat::Anthropic, "count_nodes"),
        &json!({"name": "count_nodes", "description": "Count the nodes of a tree.", "input_schema": plain}),
        "count_nodes",
    );
}

#[test]
fn gemini_openapi_subset() {
    assert_same(
        &export(ToolFormat::GeminiOpenApi, "render"),
        &json!({
            "name": "render",
            "description": "Render the report.",
            "parameters": {
                "type": "OBJECT",
                "properties": {
                    "settings": {
                        "type": "OBJECT",
                        "description": "How to render it.",
                        "properties": {
                            "title": {"type": "STRING", "description": "The report's title."},
                            "charts": {"type": "BOOLEAN", "description": "Whether to draw charts.", "default": false},
                            "rows": {"type": "INTEGER", "minimum": 0, "maximum": 255, "description": "Rows per page.", "default": 50}
                        },
                        "required": ["title"]
                    }
                },
                "required": ["settings"]
            }
        }),
        "render",
    );
    // No parameters, no `parameters`: the subset refuses an object without properties.
    assert_same(
        &export(ToolFormat::GeminiOpenApi, "ping"),
        &json!({"name": "ping", "description": "Check that the service is up."}),
        "ping",
    );
}

/// Delete every note.
#[tool(destructive)]
fn delete_notes() -> &'static str {
    "deleted"
}

/// Read the shared notes.
#[tool(read_only, idempotent, open_world)]
fn read_notes() -> &'static str {
    "notes"
}

/// Count the notes.
#[tool]
fn count_notes() -> u32 {
    0
}

/// Pin a note.
///
/// # Arguments
/// * `id` - The note.
#[tool(idempotent)]
fn pin_note(id: u32) -> String {
    id.to_string()
}

/// Hints say what the author declared, and only that: an unmarked tool has no
/// annotations, so MCP clients keep their cautious defaults (destructive, open world).
#[test]
fn mcp_annotations_come_from_the_markers() {
    let mut registry = ToolRegistry::new();
    registry.register(DeleteNotes).unwrap();
    registry.register(ReadNotes).unwrap();
    registry.register(PinNote).unwrap();
    registry.register(CountNotes).unwrap();
    let annotations: Vec<Value> = registry
        .export(ToolFormat::Mcp)
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool.get("annotations").cloned().unwrap_or(Value::Null))
        .collect();
    assert_eq!(
        annotations,
        [
            json!({"destructiveHint": true}),
            json!({"readOnlyHint": true, "idempotentHint": true, "openWorldHint": true}),
            json!({"idempotentHint": true}),
            Value::Null,
        ]
    );
}

#[test]
fn the_catalogue_in_every_format() {
    let registry = signatures::registry();
    let mut stale = Vec::new();
    for format in ToolFormat::ALL {
        let path = format!("tests/snapshots/formats/{format}.json");
        let exported = registry.export(format);
        let mut text = serde_json::to_string_pretty(&exported).unwrap();
        text.push('\n');
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::create_dir_all("tests/snapshots/formats").unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let committed: Value = serde_json::from_str(
            &std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{path}: {e} (UPDATE_SNAPSHOTS=1 writes it)")),
        )
        .unwrap();
        if committed != exported {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "the exports differ from {stale:?}; if on purpose, rerun with UPDATE_SNAPSHOTS=1 and review the diff"
    );
}

/// Only a schema that says "no parameters" goes without `parameters`: a map at the root
/// is kept, for the validator to report, rather than dropped (the model could then pass
/// nothing at all).
#[test]
fn gemini_openapi_drops_only_an_empty_parameter_object() {
    use tool_runtime::ToolDefinition;
    for empty in [
        json!({"type": "object"}),
        json!({"type": "object", "properties": {}, "required": []}),
    ] {
        let definition = ToolDefinition::new("ping", "Ping.", empty);
        assert_same(
            &definition.export(ToolFormat::GeminiOpenApi, SchemaForm::Declared),
            &json!({"name": "ping", "description": "Ping."}),
            "ping",
        );
    }
    let labels = ToolDefinition::new(
        "set_labels",
        "Set labels.",
        json!({"type": "object", "additionalProperties": {"type": "string"}}),
    );
    let declaration = labels.export(ToolFormat::GeminiOpenApi, SchemaForm::Declared);
    assert_same(
        &declaration,
        &json!({"name": "set_labels", "description": "Set labels.", "parameters":
            {"type": "OBJECT", "additionalProperties": {"type": "STRING"}}}),
        "set_labels",
    );
    assert!(!ToolFormat::GeminiOpenApi
        .validate(&json!([{"functionDeclarations": [declaration]}]))
        .is_empty());
}

//! The validator against docs/providers.md: one rejected definition per rule, with exactly
//! what the validator says about it; every catalogue tool passing in every format it can
//! be said in; and the registry refusing (or warning about) a tool that breaks a checked
//! format's rules.

use crate::support::deep;
use crate::support::signatures;

use serde_json::{json, Value};
use tool_runtime::format::SchemaForm;
use tool_runtime::tool::{ToolFuture, ToolInput};
use tool_runtime::validate::{Limits, OnViolation, Validator};
use tool_runtime::{tool, RegistryError, Tool, ToolDefinition, ToolFormat, ToolRegistry};

use ToolFormat::{Anthropic, Gemini, GeminiOpenApi, Mcp, OpenAiChat, OpenAiResponses};

/// `pointer: message` for each violation of one tool definition.
fn said(format: ToolFormat, tool: &Value) -> Vec<String> {
    Validator::new(format)
        .check_tool(tool)
        .into_iter()
        .map(|violation| format!("{}: {}", violation.pointer, violation.message))
        .collect()
}

fn chat(name: &str, parameters: Value, strict: bool) -> Value {
    json!({"type": "function", "function": {"name": name, "parameters": parameters, "strict": strict}})
}

/// A strict object of `properties`, all required.
fn closed(properties: Value) -> Value {
    let required: Vec<String> = properties
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// Objects nested `levels` deep (the root counts as one).
fn nested(levels: usize) -> Value {
    (1..levels).fold(closed(json!({})), |inner, _| closed(json!({ "x": inner })))
}

#[test]
fn each_rule_has_its_violation() {
    let many_properties: serde_json::Map<String, Value> = (0..5001)
        .map(|i| (format!("p{i}"), json!({"type": "integer"})))
        .collect();
    let many_values: Vec<String> = (0..1001).map(|i| format!("v{i}")).collect();
    let long_values: Vec<String> = (0..2)
        .map(|i| format!("{i}{}", "x".repeat(60_000)))
        .collect();
    let table: Vec<(&str, ToolFormat, Value, Vec<&str>)> = vec![
        // Names (docs/providers.md, "Tool names").
        ("OpenAI: a name with a space", OpenAiChat, chat("get weather", closed(json!({})), true),
            vec!["/function/name: the name must match ^[a-zA-Z0-9_-]{1,64}$"]),
        ("OpenAI: a name of 65 characters", OpenAiResponses,
            json!({"type": "function", "name": "a".repeat(65), "parameters": closed(json!({})), "strict": true}),
            vec!["/name: the name must match ^[a-zA-Z0-9_-]{1,64}$"]),
        ("Anthropic: a dot in the name", Anthropic, json!({"name": "weather.get", "input_schema": {"type": "object"}}),
            vec!["/name: the name must match ^[a-zA-Z0-9_-]{1,64}$"]),
        ("Gemini: a name starting with a digit", Gemini, json!({"name": "1st", "parametersJsonSchema": {"type": "object"}}),
            vec!["/name: the name must start with a letter or `_` and have only letters, digits, `_`, `.`, `:` and `-`, at most 128 characters"]),
        ("MCP: a name with a space", Mcp, json!({"name": "get weather", "inputSchema": {"type": "object"}}),
            vec!["/name: the name should have 1 to 128 of letters, digits, `_`, `.` and `-`"]),
        ("a missing name", Anthropic, json!({"input_schema": {"type": "object"}}),
            vec!["/name: the name is missing"]),
        // Shapes.
        ("Chat: not a function tool", OpenAiChat, json!({"type": "web_search", "function": {"name": "a"}}),
            vec!["/type: must be \"function\""]),
        ("the root is not an object", OpenAiChat, chat("a", json!({"type": "array", "items": {"type": "string"}}), false),
            vec!["/function/parameters: the root must have `type: \"object\"`"]),
        ("Anthropic: no input_schema", Anthropic, json!({"name": "a"}),
            vec!["/input_schema: the schema is missing"]),
        ("MCP: no inputSchema", Mcp, json!({"name": "a"}),
            vec!["/inputSchema: the schema is missing"]),
        ("MCP: a hint that is not a boolean", Mcp,
            json!({"name": "a", "inputSchema": {"type": "object"}, "annotations": {"destructiveHint": "yes"}}),
            vec!["/annotations/destructiveHint: a hint must be true or false"]),
        ("Gemini: both schema fields", Gemini,
            json!({"name": "a", "parameters": {"type": "OBJECT", "properties": {"x": {"type": "STRING"}}},
                   "parametersJsonSchema": {"type": "object"}}),
            vec!["/parameters: `parameters` and `parametersJsonSchema` cannot both be set"]),
        // OpenAI structured outputs.
        ("strict: a root anyOf", OpenAiChat, chat("a", json!({"anyOf": [closed(json!({}))]}), true),
            vec!["/function/parameters: the root must have `type: \"object\"`",
                 "/function/parameters: a root `anyOf` is not supported in strict mode"]),
        ("strict: an object not closed", OpenAiChat,
            chat("a", json!({"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}), true),
            vec!["/function/parameters: an object in strict mode must have `additionalProperties: false`"]),
        ("strict: an optional property", OpenAiResponses,
            json!({"type": "function", "name": "a", "strict": true, "parameters":
                {"type": "object", "properties": {"x": {"type": "string"}}, "required": [], "additionalProperties": false}}),
            vec!["/parameters: property `x` is not in `required`: strict mode needs every property there (make it nullable to keep it optional)"]),
        ("strict: allOf", OpenAiChat, chat("a", closed(json!({"x": {"allOf": [{"type": "string"}]}})), true),
            vec!["/function/parameters/properties/x: `allOf` is not supported in strict mode",
                 "/function/parameters/properties/x: a schema that accepts any value is not supported in strict mode"]),
        ("strict: not", OpenAiChat, chat("a", closed(json!({"x": {"type": "string", "not": {"const": "a"}}})), true),
            vec!["/function/parameters/properties/x: `not` is not supported in strict mode"]),
        ("strict: if/then/else", OpenAiChat,
            chat("a", closed(json!({"x": {"type": "string", "if": {"const": "a"}, "then": {}, "else": {}}})), true),
            vec!["/function/parameters/properties/x: `if` is not supported in strict mode",
                 "/function/parameters/properties/x: `then` is not supported in strict mode",
                 "/function/parameters/properties/x: `else` is not supported in strict mode",
                 "/function/parameters/properties/x/then: a schema that accepts any value is not supported in strict mode",
                 "/function/parameters/properties/x/else: a schema that accepts any value is not supported in strict mode"]),
        ("strict: dependentRequired", OpenAiChat,
            chat("a", json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false,
                             "dependentRequired": {"a": ["b"]}}), true),
            vec!["/function/parameters: `dependentRequired` is not supported in strict mode"]),
        ("strict: dependentSchemas", OpenAiChat,
            chat("a", json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false,
                             "dependentSchemas": {"a": {"type": "object"}}}), true),
            vec!["/function/parameters: `dependentSchemas` is not supported in strict mode",
                 "/function/parameters/dependentSchemas/a: an object in strict mode must have `additionalProperties: false`"]),
        ("strict: a keyword outside the supported list", OpenAiChat,
            chat("a", closed(json!({"x": {"type": "string", "minLength": 1}})), true),
            vec!["/function/parameters/properties/x: `minLength` is not supported in strict mode"]),
        ("strict: a format outside the supported list", OpenAiChat,
            chat("a", closed(json!({"x": {"type": "string", "format": "uri"}})), true),
            vec!["/function/parameters/properties/x: format `uri` is not supported in strict mode"]),
        ("strict: default", OpenAiChat,
            chat("a", closed(json!({"x": {"type": ["integer", "null"], "default": 3}})), true),
            vec!["/function/parameters/properties/x: `default` is reportedly rejected in strict mode; say it in the description"]),
        ("strict: a value of any type", OpenAiChat, chat("a", closed(json!({"x": {"description": "Anything."}})), true),
            vec!["/function/parameters/properties/x: a schema that accepts any value is not supported in strict mode"]),
        ("strict: items of any value, said as `true`", OpenAiChat,
            chat("a", closed(json!({"x": {"type": "array", "items": true}})), true),
            vec!["/function/parameters/properties/x/items: a `true`/`false` schema is not supported here"]),
        ("strict: nesting deeper than 10", OpenAiChat, chat("a", nested(11), true),
            vec!["/function/parameters/properties/x/properties/x/properties/x/properties/x/properties/x/properties/x/properties/x/properties/x/properties/x/properties/x: objects are nested 11 deep; the limit is 10"]),
        ("strict: more than 5000 properties", OpenAiChat, chat("a", closed(Value::Object(many_properties)), true),
            vec!["/function/parameters: 5001 properties in one schema; the limit is 5000"]),
        ("strict: more than 1000 enum values", OpenAiChat, chat("a", closed(json!({"x": {"type": "string", "enum": many_values}})), true),
            vec!["/function/parameters: 1001 enum values in one schema; the limit is 1000"]),
        ("strict: more than 120,000 characters of names and values", OpenAiChat,
            chat("a", closed(json!({"x": {"type": "string", "enum": long_values}})), true),
            vec!["/function/parameters: 120003 characters of names and enum values in one schema; the limit is 120000"]),
        // `$ref` use.
        ("a $ref to nothing", OpenAiChat, chat("a", closed(json!({"x": {"$ref": "#/$defs/Missing"}})), true),
            vec!["/function/parameters/properties/x: `$ref` to `#/$defs/Missing`, which is not in `$defs`"]),
        ("a $ref outside the document", Mcp, json!({"name": "a", "inputSchema": {"type": "object", "properties": {"x": {"$ref": "https://example.com/s.json"}}}}),
            vec!["/inputSchema/properties/x: `$ref` to `https://example.com/s.json`: only `#/$defs/...` can be resolved"]),
        // Anthropic strict.
        ("Anthropic strict: numeric bounds", Anthropic,
            json!({"name": "a", "strict": true, "input_schema": closed(json!({"n": {"type": "integer", "minimum": 0, "maximum": 9}}))}),
            vec!["/input_schema/properties/n: `minimum` is not supported in Anthropic's strict mode (no numeric or length bounds)",
                 "/input_schema/properties/n: `maximum` is not supported in Anthropic's strict mode (no numeric or length bounds)"]),
        ("Anthropic strict: length bounds", Anthropic,
            json!({"name": "a", "strict": true, "input_schema": closed(json!({"s": {"type": "string", "maxLength": 9}}))}),
            vec!["/input_schema/properties/s: `maxLength` is not supported in Anthropic's strict mode (no numeric or length bounds)"]),
        ("Anthropic strict: array sizes", Anthropic,
            json!({"name": "a", "strict": true, "input_schema": closed(json!({"l": {"type": "array", "items": {"type": "string"}, "minItems": 2}}))}),
            vec!["/input_schema/properties/l: `minItems` above 1 is not supported in Anthropic's strict mode"]),
        ("Anthropic strict: recursion", Anthropic,
            json!({"name": "a", "strict": true, "input_schema": {
                "type": "object", "properties": {"tree": {"$ref": "#/$defs/Tree"}}, "required": ["tree"], "additionalProperties": false,
                "$defs": {"Tree": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}},
                                   "required": ["children"], "additionalProperties": false}}}}),
            vec!["/input_schema/properties/tree: a recursive type is not supported in Anthropic's strict mode",
                 "/input_schema/$defs/Tree/properties/children/items: a recursive type is not supported in Anthropic's strict mode"]),
        ("Anthropic strict: an open object", Anthropic,
            json!({"name": "a", "strict": true, "input_schema": {"type": "object", "properties": {}}}),
            vec!["/input_schema: an object in strict mode must have `additionalProperties: false`"]),
        // Gemini's OpenAPI subset.
        ("OpenAPI: a lower-case type", GeminiOpenApi,
            json!({"name": "a", "parameters": {"type": "OBJECT", "properties": {"x": {"type": "string"}}}}),
            vec!["/parameters/properties/x: type `string` is not one of STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT"]),
        ("OpenAPI: a list of types", GeminiOpenApi,
            json!({"name": "a", "parameters": {"type": "OBJECT", "properties": {"x": {"type": ["STRING", "NULL"]}}}}),
            vec!["/parameters/properties/x: a list of types cannot be said here; use `nullable` or `anyOf`"]),
        ("OpenAPI: a $ref", GeminiOpenApi,
            json!({"name": "a", "parameters": {"type": "OBJECT", "properties": {"x": {"$ref": "#/$defs/X"}}}}),
            vec!["/parameters/properties/x: `$ref` is not supported in Gemini's `parameters`; send `parametersJsonSchema`"]),
        ("OpenAPI: a map", GeminiOpenApi,
            json!({"name": "a", "parameters": {"type": "OBJECT", "properties": {"x": {"type": "OBJECT", "additionalProperties": {"type": "STRING"}}}}}),
            vec!["/parameters/properties/x: `additionalProperties` is not in the OpenAPI subset of Gemini's `parameters`",
                 "/parameters/properties/x: an object without `properties` (a map, or any object) cannot be declared here"]),
        ("OpenAPI: an enum of numbers", GeminiOpenApi,
            json!({"name": "a", "parameters": {"type": "OBJECT", "properties": {"x": {"type": "INTEGER", "enum": [1, 2]}}}}),
            vec!["/parameters/properties/x: `enum` is only for STRING here"]),
        ("OpenAPI: items as `true`", GeminiOpenApi,
            json!({"name": "a", "parameters": {"type": "OBJECT", "properties": {"x": {"type": "ARRAY", "items": true}}}}),
            vec!["/parameters/properties/x/items: a `true`/`false` schema is not supported here"]),
        ("OpenAPI: no type", GeminiOpenApi,
            json!({"name": "a", "parameters": {"type": "OBJECT", "properties": {"x": {"description": "Anything."}}}}),
            vec!["/parameters/properties/x: a schema without `type` is not supported here"]),
    ];
    let mut failures = Vec::new();
    for (rule, format, tool, expected) in &table {
        let actual = said(*format, tool);
        if &actual != expected {
            failures.push(format!(
                "{rule} ({format}):\n  said:     {actual:#?}\n  expected: {expected:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_request_has_a_tool_limit_and_unique_names() {
    let tool = |name: String| chat(&name, closed(json!({})), true);
    let export = Value::Array((0..129).map(|i| tool(format!("t{i}"))).collect());
    let said: Vec<String> = OpenAiChat
        .validate(&export)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        said,
        ["tool `` at /: 129 tools in one request; the limit is 128"]
    );

    let twice = json!([tool("a".into()), tool("b".into()), tool("a".into())]);
    let said: Vec<String> = OpenAiChat
        .validate(&twice)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        said,
        ["tool `a` at /function/name: another tool of the request has this name"]
    );

    let declarations: Vec<Value> = (0..129).map(|i| json!({"name": format!("t{i}")})).collect();
    let said: Vec<String> = Gemini
        .validate(&json!([{"functionDeclarations": declarations}]))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        said,
        ["tool `` at /: 129 tools in one request; the limit is 128"]
    );
}

#[test]
fn limits_can_be_the_older_ones() {
    let mut limits = Limits::of(OpenAiChat);
    limits.max_depth = 5;
    limits.max_properties = 100;
    let older = Validator::new(OpenAiChat).with_limits(limits);
    let tool = chat("a", nested(6), true);
    assert!(Validator::new(OpenAiChat).check_tool(&tool).is_empty());
    let said: Vec<String> = older
        .check_tool(&tool)
        .into_iter()
        .map(|v| v.message)
        .collect();
    assert_eq!(said, ["objects are nested 6 deep; the limit is 5"]);
}

/// Every catalogue tool, in every format and both forms, passes; but for what Gemini's
/// OpenAPI subset cannot say (maps, recursion, free-form values, tuples), which the
/// validator names.
#[test]
fn the_catalogue_passes_in_every_format() {
    let registry = signatures::registry();
    for format in ToolFormat::ALL {
        for form in [SchemaForm::Declared, SchemaForm::Plain] {
            let said: Vec<String> = Validator::new(format)
                .check(&registry.export_with(format, form))
                .iter()
                .map(ToString::to_string)
                .collect();
            let expected: &[&str] = if format == GeminiOpenApi {
                &[
                    "tool `set_labels` at /parameters/properties/labels: `additionalProperties` is not in the OpenAPI subset of Gemini's `parameters`",
                    "tool `set_labels` at /parameters/properties/labels: an object without `properties` (a map, or any object) cannot be declared here",
                    "tool `set_labels` at /parameters/properties/limits: `additionalProperties` is not in the OpenAPI subset of Gemini's `parameters`",
                    "tool `set_labels` at /parameters/properties/limits: an object without `properties` (a map, or any object) cannot be declared here",
                    "tool `count_nodes` at /parameters: `$defs` is not in the OpenAPI subset of Gemini's `parameters`",
                    "tool `count_nodes` at /parameters/properties/tree: `$ref` is not supported in Gemini's `parameters`; send `parametersJsonSchema`",
                    "tool `count_nodes` at /parameters/$defs/TreeNode/properties/children/items: `$ref` is not supported in Gemini's `parameters`; send `parametersJsonSchema`",
                    "tool `store` at /parameters/properties/value: a schema without `type` is not supported here",
                    "tool `move_to` at /parameters/properties/point: `prefixItems` is not in the OpenAPI subset of Gemini's `parameters`",
                ]
            } else {
                &[]
            };
            assert_eq!(said, expected, "{format} {form:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The registry checks at registration.

/// The same record, declared strict.
///
/// # Arguments
/// * `record` - The record.
#[tool(strict)]
fn store_deep_strict(record: deep::L1) -> String {
    record
        .inner
        .inner
        .inner
        .inner
        .inner
        .inner
        .inner
        .inner
        .inner
        .inner
}

/// Too deep for OpenAI's strict mode: in auto mode the tool is sent plain, and declared
/// strict it is refused, saying where.
#[test]
fn a_schema_past_the_strict_limits_has_no_strict_form() {
    let mut registry = ToolRegistry::new();
    registry.register(deep::StoreDeep).unwrap();
    let definition = registry.definition("store_deep").unwrap();
    let pointer = format!("/properties/record{}", "/properties/inner".repeat(9));
    assert_eq!(
        definition.strict_unavailable(),
        Some(format!("{pointer}: objects are nested 11 deep; the limit is 10").as_str())
    );
    assert_eq!(
        registry.export(OpenAiChat)[0]["function"].get("strict"),
        None
    );
    let refused = ToolRegistry::new().register(StoreDeepStrict).unwrap_err();
    assert!(
        matches!(refused, RegistryError::NotStrict { .. }),
        "{refused:?}"
    );
}

/// A hand-written tool whose schema points outside itself, which no provider resolves.
struct FetchRemote(ToolDefinition);

impl Tool for FetchRemote {
    const NAME: &'static str = "fetch_remote";

    fn definition(&self) -> &ToolDefinition {
        &self.0
    }

    fn call<'a>(&'a self, _input: ToolInput<'a>) -> ToolFuture<'a> {
        ToolFuture::ready(Ok("fetched".into()))
    }
}

fn fetch_remote() -> FetchRemote {
    FetchRemote(ToolDefinition::new(
        "fetch_remote",
        "Fetch a document.",
        json!({"type": "object", "properties": {"doc": {"$ref": "https://example.com/doc.json"}},
               "required": ["doc"]}),
    ))
}

#[test]
fn the_registry_refuses_a_tool_a_provider_would_refuse() {
    let mut registry = ToolRegistry::new();
    let refused = registry.register(fetch_remote()).unwrap_err();
    let RegistryError::InvalidDefinition {
        tool,
        format,
        violations,
    } = &refused
    else {
        panic!("expected InvalidDefinition, got {refused:?}");
    };
    assert_eq!((tool.as_str(), *format), ("fetch_remote", OpenAiChat));
    assert_eq!(
        refused.to_string(),
        "tool `fetch_remote` breaks the openai-chat rules:\n  \
         - tool `fetch_remote` at /function/parameters/properties/doc: `$ref` to `https://example.com/doc.json`: only `#/$defs/...` can be resolved\n\
         fix its types or attributes, or choose the formats checked with ToolRegistry::with_validation"
    );
    assert_eq!(violations.len(), 1);
    assert!(
        registry.is_empty(),
        "a refused tool leaves the registry as it was"
    );

    // Warned about, not refused, when asked; and not checked at all for formats left out.
    let mut lenient = ToolRegistry::new().with_validation([OpenAiChat], OnViolation::Warn);
    lenient.register(fetch_remote()).unwrap();
    let mut gemini_only = ToolRegistry::new().with_validation([Gemini], OnViolation::Error);
    assert!(gemini_only.register(fetch_remote()).is_err());
    let mut none =
        ToolRegistry::new().with_validation(Vec::<ToolFormat>::new(), OnViolation::Error);
    none.register(fetch_remote()).unwrap();
    assert!(none.validate(Mcp).is_err());
}

/// `validate` checks a format with the limits the registry was given for it.
#[test]
fn validate_uses_the_registrys_limits() {
    let mut limits = Limits::of(OpenAiChat);
    limits.max_tools = Some(1);
    let mut registry = ToolRegistry::new().with_validation(
        [Validator::new(OpenAiChat).with_limits(limits)],
        OnViolation::Warn,
    );
    registry.register(signatures::Ping).unwrap();
    registry.register(signatures::Echo).unwrap();
    assert!(registry.validate(OpenAiChat).is_err());
    assert_eq!(
        registry.validate(OpenAiResponses),
        Ok(()),
        "documented limits: 128"
    );
}

#[test]
fn a_registry_refuses_the_tool_past_a_providers_limit() {
    let mut limits = Limits::of(OpenAiChat);
    limits.max_tools = Some(1);
    let mut registry = ToolRegistry::new().with_validation(
        [Validator::new(OpenAiChat).with_limits(limits)],
        OnViolation::Error,
    );
    registry.register(signatures::Ping).unwrap();
    let refused = registry.register(signatures::Echo).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("tool `echo-text` at /: a request can offer at most 1 tools"),
        "{refused}"
    );
}

//! Typed outputs: a tool returning `Json<T>` declares `T`'s schema, providers that have an
//! output schema receive it (MCP `outputSchema`, Responses `output_schema`), and what the
//! tool returns is checked against it.

use serde::Serialize;
use serde_json::{json, Value};
use tool_runtime::format::SchemaForm;
use tool_runtime::{tool, tools, Json, RegistryError, ToolCall, ToolFormat, ToolRegistry};

/// The weather at a place.
#[derive(Serialize, schemars::JsonSchema)]
struct Weather {
    /// The place.
    location: String,
    /// Degrees Celsius.
    temperature: i8,
    /// Rain expected, when known.
    rain: Option<bool>,
}

/// Get the current weather in a city.
///
/// # Arguments
/// * `location` - The city, e.g. Paris.
#[tool(read_only)]
async fn get_weather(location: String) -> Json<Weather> {
    let (temperature, rain) = match location.as_str() {
        "Paris" => (18, Some(true)),
        "Cairo" => (35, Some(false)),
        _ => (-3, None),
    };
    Json(Weather {
        location,
        temperature,
        rain,
    })
}

/// A task count.
#[derive(Serialize, schemars::JsonSchema)]
struct Count {
    /// Open tasks.
    open: u32,
}

/// Count the open tasks of a list.
///
/// # Arguments
/// * `list` - The list's name.
#[tool]
fn count_tasks(list: String) -> Result<Json<Count>, String> {
    match list.as_str() {
        "home" => Ok(Json(Count { open: 3 })),
        other => Err(format!("no list `{other}`")),
    }
}

/// A plain output: no schema.
///
/// # Arguments
/// * `text` - Said back.
#[tool]
fn echo(text: String) -> String {
    text
}

/// List the tags of a task.
///
/// # Arguments
/// * `task` - The task.
#[tool]
fn list_tags(task: u32) -> Json<Vec<String>> {
    Json(vec![format!("t{task}")])
}

fn registry() -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    registry
        .register(GetWeather)
        .and_then(|r| r.register(CountTasks))
        .and_then(|r| r.register(Echo))
        .unwrap();
    registry
}

fn weather_schema() -> Value {
    json!({
        "type": "object",
        "description": "The weather at a place.",
        "properties": {
            "location": {"type": "string", "description": "The place."},
            "temperature": {"type": "integer", "minimum": -128, "maximum": 127, "description": "Degrees Celsius."},
            "rain": {"type": ["boolean", "null"], "description": "Rain expected, when known."}
        },
        "required": ["location", "temperature", "rain"],
        "additionalProperties": false
    })
}

#[test]
fn json_outputs_declare_their_schema() {
    let registry = registry();
    assert_eq!(
        registry.definition("get_weather").unwrap().output_schema(),
        Some(&weather_schema())
    );
    assert_eq!(
        registry.definition("count_tasks").unwrap().output_schema(),
        Some(&json!({
            "type": "object",
            "description": "A task count.",
            "properties": {"open": {"type": "integer", "minimum": 0, "maximum": u32::MAX, "description": "Open tasks."}},
            "required": ["open"],
            "additionalProperties": false
        }))
    );
    assert_eq!(registry.definition("echo").unwrap().output_schema(), None);
}

#[test]
fn mcp_and_responses_export_it_and_the_others_do_not() {
    let registry = registry();
    let mcp = registry.export(ToolFormat::Mcp);
    assert_eq!(
        mcp[0],
        json!({
            "name": "get_weather",
            "description": "Get the current weather in a city.",
            "inputSchema": registry.definition("get_weather").unwrap().parameters(),
            "outputSchema": weather_schema(),
            "annotations": {"readOnlyHint": true}
        })
    );
    assert_eq!(mcp[2].get("outputSchema"), None, "echo has none");
    let responses = registry.export(ToolFormat::OpenAiResponses);
    assert_eq!(responses[0]["output_schema"], weather_schema());
    assert_eq!(responses[2].get("output_schema"), None);
    for format in [
        ToolFormat::OpenAiChat,
        ToolFormat::Anthropic,
        ToolFormat::Gemini,
    ] {
        let text = registry.export_with(format, SchemaForm::Plain).to_string();
        assert!(
            !text.contains("Degrees Celsius"),
            "{format} has no output schema"
        );
    }
}

/// What the tools return matches what they declare (validated with the `jsonschema` crate).
#[tokio::test]
async fn outputs_match_their_declared_schema() {
    let registry = registry();
    let validator = |name: &str| {
        jsonschema::validator_for(registry.definition(name).unwrap().output_schema().unwrap())
            .unwrap()
    };
    let weather = validator("get_weather");
    for city in ["Paris", "Cairo", "Oslo"] {
        let call = ToolCall::new("c", "get_weather", json!({"location": city}).to_string());
        let output = registry.dispatch(&call).await;
        assert!(!output.is_error);
        let value: Value = serde_json::from_str(&output.content).unwrap();
        assert!(weather.is_valid(&value), "{city}: {value}");
    }
    let output = registry
        .dispatch(&ToolCall::new("c", "count_tasks", r#"{"list": "home"}"#))
        .await;
    assert_eq!(
        (output.content.as_str(), output.is_error),
        (r#"{"open":3}"#, false)
    );
    assert!(validator("count_tasks").is_valid(&serde_json::from_str(&output.content).unwrap()));
    // A failure is an error output, not a value of the declared shape.
    let output = registry
        .dispatch(&ToolCall::new("c", "count_tasks", r#"{"list": "work"}"#))
        .await;
    assert_eq!(
        (output.content.as_str(), output.is_error),
        ("no list `work`", true)
    );
}

/// MCP wants an object at the root of `outputSchema`: a `Json<Vec<_>>` tool is refused
/// where MCP is checked, with the reason, and accepted where it is not.
#[test]
fn an_output_that_is_not_an_object_breaks_mcp() {
    let mut registry = ToolRegistry::new();
    let refused = registry.register(ListTags).unwrap_err();
    let RegistryError::InvalidDefinition {
        format, violations, ..
    } = refused
    else {
        panic!("expected InvalidDefinition");
    };
    assert_eq!(format, ToolFormat::Mcp);
    assert_eq!(
        violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["tool `list_tags` at /outputSchema: the root must have `type: \"object\"`"]
    );
    let mut openai_only = ToolRegistry::new().with_validation(
        [ToolFormat::OpenAiChat],
        tool_runtime::validate::OnViolation::Error,
    );
    openai_only.register(ListTags).unwrap();
}

/// A counter whose tools are its methods.
#[derive(Default, Serialize, schemars::JsonSchema)]
struct Counter {
    /// The count so far.
    value: u32,
}

#[tools]
impl Counter {
    /// Read the counter.
    #[tool(read_only)]
    fn read(&self) -> Json<Self> {
        Json(Counter { value: self.value })
    }

    /// Read the counter, or fail.
    ///
    /// # Arguments
    /// * `fail` - Whether to fail.
    #[tool]
    async fn try_read(&self, fail: bool) -> Result<Json<Counter>, String> {
        if fail {
            Err("asked to fail".into())
        } else {
            Ok(Json(Counter { value: self.value }))
        }
    }
}

/// A method's `Json<Self>` is the impl's type, sync or async, in a `Result` or not.
#[tokio::test]
async fn methods_declare_typed_outputs_too() {
    let mut registry = ToolRegistry::new();
    registry.register_all(Counter { value: 7 }).unwrap();
    let counter = json!({
        "type": "object",
        "description": "A counter whose tools are its methods.",
        "properties": {"value": {"type": "integer", "minimum": 0, "maximum": u32::MAX, "description": "The count so far."}},
        "required": ["value"],
        "additionalProperties": false
    });
    for name in ["read", "try_read"] {
        assert_eq!(
            registry.definition(name).unwrap().output_schema(),
            Some(&counter),
            "{name}"
        );
    }
    let output = registry.dispatch(&ToolCall::new("c", "read", "{}")).await;
    assert_eq!(output.content, r#"{"value":7}"#);
    let output = registry
        .dispatch(&ToolCall::new("c", "try_read", r#"{"fail": false}"#))
        .await;
    assert_eq!(output.content, r#"{"value":7}"#);
}

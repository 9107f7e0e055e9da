//! Tools defined at run time (`tool::RuntimeTool`): built from the very definition a
//! `#[tool]` function has, they are exported, snapshotted, validated, dispatched and served
//! over MCP alike; their arguments are checked against the schema before the handler runs;
//! they are replaced and removed at run time, and a live registry shows the change to the
//! next export while calls in flight finish on what they started with.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::CallToolRequestParams;
use rmcp::ServiceExt;
use serde_json::{json, Value};
use tokio::sync::Notify;
use tool_runtime::chat::Message;
use tool_runtime::format::SchemaForm;
use tool_runtime::live::LiveRegistry;
use tool_runtime::mcp::McpServer;
use tool_runtime::run::{Assistant, Thread};
use tool_runtime::testing::{ScriptedModel, ScriptedReply};
use tool_runtime::tool::{RuntimeTool, ToolMarkers};
use tool_runtime::{tool, RegistryError, Tool, ToolCall, ToolDefinition, ToolFormat, ToolRegistry};

use crate::support::city_tools::{self, GetCurrentWeather, GetNickname};

/// A run-time twin of a `#[tool]` function: its definition, and a handler answering what
/// the function answers for the cities the tests use.
fn twin(definition: &ToolDefinition) -> RuntimeTool {
    let name = definition.name().to_owned();
    RuntimeTool::new(definition.clone(), move |arguments: Value| {
        let name = name.clone();
        async move {
            let location = arguments["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            Ok(
                match (name.as_str(), arguments.get("unit").and_then(Value::as_str)) {
                    ("get_current_weather", Some("celsius")) => format!("{location}: 22 C"),
                    ("get_current_weather", _) => format!("{location}: 72 F"),
                    _ => format!("{location}: the City of Light"),
                },
            )
        }
    })
    .unwrap()
}

fn twins() -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    registry
        .register_runtime(twin(GetCurrentWeather.definition()))
        .unwrap()
        .register_runtime(twin(GetNickname.definition()))
        .unwrap();
    registry
}

#[test]
fn a_run_time_tool_exports_and_snapshots_as_the_tool_function_it_copies() {
    let compiled = city_tools::registry();
    let run_time = twins();
    for format in ToolFormat::ALL {
        for form in [SchemaForm::Declared, SchemaForm::Plain] {
            assert_eq!(
                run_time.export_with(format, form),
                compiled.export_with(format, form),
                "{format} {form:?}"
            );
        }
        assert_eq!(
            run_time.validate(format),
            compiled.validate(format),
            "{format}"
        );
    }
    assert_eq!(run_time.snapshot(), compiled.snapshot());
    // The drift check of the compiled tools' snapshot passes for their run-time twins.
    let dir = std::env::temp_dir().join(format!("runtime-snapshot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tools.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&compiled.snapshot()).unwrap(),
    )
    .unwrap();
    run_time.check_snapshot(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_run_time_tool_answers_as_the_tool_function_it_copies() {
    let compiled = city_tools::registry();
    let run_time = twins();
    let calls = [
        ToolCall::new(
            "c1",
            "get_current_weather",
            r#"{"location": "Paris", "unit": "celsius"}"#,
        ),
        // Strict mode's way to omit an optional parameter.
        ToolCall::new(
            "c2",
            "get_current_weather",
            r#"{"location": "Oslo", "unit": null}"#,
        ),
        // Encoded twice, as some models send it.
        ToolCall::new("c3", "get_nickname", r#""{\"location\": \"Paris\"}""#),
        ToolCall::new("c4", "get_nickname", "{}"),
        ToolCall::new(
            "c5",
            "get_nickname",
            r#"{"location": "Paris", "country": "FR"}"#,
        ),
        ToolCall::new("c6", "get_nickname", "[1]"),
        ToolCall::new("c7", "get_nickname", "{"),
        ToolCall::new("c8", "get_weather", "{}"),
    ];
    let ours = run_time.dispatch_all(&calls).await;
    let theirs = compiled.dispatch_all(&calls).await;
    let pairs: Vec<(&str, bool)> = ours
        .iter()
        .map(|o| (o.content.as_str(), o.is_error))
        .collect();
    assert_eq!(
        pairs,
        [
            ("Paris: 22 C", false),
            ("Oslo: 72 F", false),
            ("Paris: the City of Light", false),
            ("invalid arguments for tool `get_nickname`: missing field `location`", true),
            (
                "invalid arguments for tool `get_nickname`: Additional properties are not allowed ('country' was unexpected)",
                true
            ),
            ("invalid arguments for tool `get_nickname`: the arguments must be a JSON object, not an array", true),
            (theirs[6].content.as_str(), true),
            (theirs[7].content.as_str(), true),
        ]
    );
    // Where serde and the schema agree on the words, the outputs are the same.
    for index in [0, 1, 2, 3, 5, 6, 7] {
        assert_eq!(ours[index], theirs[index], "call {}", index + 1);
    }
}

#[tokio::test]
async fn arguments_that_break_the_schema_never_reach_the_handler_and_name_the_field() {
    let runs = Arc::new(AtomicUsize::new(0));
    let parameters = json!({
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "count": {"type": "integer", "minimum": 1}},
                "required": ["name", "count"],
            }},
            "note": {"type": "string"},
        },
        "required": ["items"],
    });
    let counted = Arc::clone(&runs);
    let tool = RuntimeTool::new(
        ToolDefinition::new("order", "Order items.", parameters),
        move |arguments: Value| {
            counted.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(format!(
                    "{} lines",
                    arguments["items"].as_array().map_or(0, Vec::len)
                ))
            }
        },
    )
    .unwrap();
    let mut registry = ToolRegistry::new();
    registry.register_runtime(tool).unwrap();
    let answer = |arguments: &str| {
        let registry = &registry;
        let call = ToolCall::new("c", "order", arguments);
        async move {
            let output = registry.dispatch(&call).await;
            (output.content, output.is_error)
        }
    };
    assert_eq!(
        answer(r#"{"items": [{"name": "tea", "count": 2}, {"name": 5, "count": 0}]}"#).await,
        (
            "invalid arguments for tool `order`: items[1].name: 5 is not of type \"string\"; items[1].count: 0 is less than the minimum of 1".to_owned(),
            true
        )
    );
    assert_eq!(
        answer(r#"{"items": [{"count": 1}], "note": null}"#).await,
        (
            "invalid arguments for tool `order`: items[0]: missing field `name`".to_owned(),
            true
        )
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    assert_eq!(
        answer(r#"{"items": [{"name": "tea", "count": 2.0}], "note": null}"#).await,
        ("1 lines".to_owned(), false)
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[test]
fn run_time_tools_meet_the_registration_rules_of_tool_functions() {
    let mut registry = city_tools::registry();
    // A name taken by a `#[tool]` function.
    let refused = registry
        .register_runtime(twin(GetNickname.definition()))
        .unwrap_err();
    assert!(
        matches!(&refused, RegistryError::DuplicateName { name, .. } if name == "get_nickname")
    );
    // A name no provider takes.
    let dotted = ToolDefinition::new("files.read", "Read.", json!({"type": "object"}));
    let refused = registry.register_runtime(twin(&dotted)).unwrap_err();
    assert_eq!(
        refused,
        RegistryError::InvalidName {
            name: "files.read".into()
        }
    );
    // Declared strict with a map, which has no strict form.
    let labels = ToolDefinition::new(
        "set_labels",
        "Set labels.",
        json!({"type": "object", "properties": {"labels": {"type": "object", "additionalProperties": {"type": "string"}}}}),
    )
    .with_strictness(tool_runtime::tool::Strictness::On);
    assert!(matches!(
        registry.register_runtime(twin(&labels)),
        Err(RegistryError::NotStrict { .. })
    ));
    // A schema no validator compiles is refused before the registry sees it.
    let broken = ToolDefinition::new(
        "broken",
        "Broken.",
        json!({"type": "object", "properties": {"a": {"type": "text"}}}),
    );
    let error = RuntimeTool::new(broken, |_| async { Ok(String::new()) }).unwrap_err();
    assert_eq!(error.tool, "broken");
    assert!(
        error
            .to_string()
            .starts_with("the parameter schema of tool `broken` is not valid JSON Schema: "),
        "{error}"
    );
    assert_eq!(
        registry.names().collect::<Vec<_>>(),
        ["get_current_weather", "get_nickname"]
    );
}

/// Delete a task.
///
/// # Arguments
/// * `id` - The task.
#[tool(destructive)]
fn delete_task(id: u32) -> String {
    format!("deleted {id}")
}

#[tokio::test]
async fn tools_are_replaced_and_removed_by_name_and_the_next_export_shows_it() {
    let mut registry = city_tools::registry();
    registry.register(DeleteTask).unwrap();
    // A `#[tool]` function replaced by a run-time tool keeps its place.
    let markers = ToolMarkers {
        read_only: true,
        ..ToolMarkers::default()
    };
    let nickname = ToolDefinition::new(
        "get_nickname",
        "Get the nickname of a city, in French.",
        GetNickname.definition().parameters().clone(),
    )
    .with_markers(markers);
    let french = RuntimeTool::new(nickname, |arguments: Value| async move {
        Ok(format!(
            "{}: la Ville Lumière",
            arguments["location"].as_str().unwrap_or("?")
        ))
    })
    .unwrap();
    registry.replace(french).unwrap();
    assert_eq!(
        registry.names().collect::<Vec<_>>(),
        ["get_current_weather", "get_nickname", "delete_task"]
    );
    let exported = registry.export(ToolFormat::Mcp);
    assert_eq!(
        exported[1]["description"],
        "Get the nickname of a city, in French."
    );
    assert_eq!(exported[1]["annotations"], json!({"readOnlyHint": true}));
    let output = registry
        .dispatch(&ToolCall::new(
            "c1",
            "get_nickname",
            r#"{"location": "Paris"}"#,
        ))
        .await;
    assert_eq!(output.content, "Paris: la Ville Lumière");

    // A replacement the rules refuse leaves the old tool.
    let odd = ToolDefinition::new(
        "get_nickname",
        "Odd.",
        json!({"type": "object", "properties": {}, "required": ["x"]}),
    );
    assert!(registry.replace(twin(&odd)).is_err());
    assert_eq!(
        registry.definition("get_nickname").unwrap().markers(),
        &markers
    );

    assert!(registry.remove("get_current_weather"));
    assert!(!registry.remove("get_current_weather"));
    assert_eq!(
        registry.names().collect::<Vec<_>>(),
        ["get_nickname", "delete_task"]
    );
    let output = registry
        .dispatch(&ToolCall::new("c2", "delete_task", r#"{"id": 4}"#))
        .await;
    assert_eq!(output.content, "deleted 4"); // the index follows the move
    let output = registry
        .dispatch(&ToolCall::new(
            "c3",
            "get_current_weather",
            r#"{"location": "Paris"}"#,
        ))
        .await;
    assert_eq!(
        output.content,
        "unknown tool `get_current_weather`; available tools: `get_nickname`, `delete_task`"
    );
}

#[tokio::test]
async fn a_live_registry_changes_under_running_calls_without_disturbing_them() {
    let release = Arc::new(Notify::new());
    let waiting = Arc::clone(&release);
    let slow = RuntimeTool::new(
        ToolDefinition::new("slow", "Answer when released.", json!({"type": "object"})),
        move |_| {
            let waiting = Arc::clone(&waiting);
            async move {
                waiting.notified().await;
                Ok("the first version".to_owned())
            }
        },
    )
    .unwrap();
    let live = LiveRegistry::new(ToolRegistry::new());
    live.update(|registry| registry.register_runtime(slow).map(|_| ()))
        .unwrap();

    let snapshot = live.load();
    let call = ToolCall::new("c1", "slow", "");
    let in_flight = tokio::spawn(async move { snapshot.dispatch(&call).await });
    tokio::time::sleep(Duration::from_millis(20)).await;

    let quick = RuntimeTool::new(
        ToolDefinition::new("slow", "Answer at once.", json!({"type": "object"})),
        |_| async { Ok("the second version".to_owned()) },
    )
    .unwrap();
    live.update(|registry| registry.replace(quick).map(|_| ()))
        .unwrap();
    assert_eq!(
        live.load().definition("slow").unwrap().description(),
        "Answer at once."
    );
    let output = live.load().dispatch(&ToolCall::new("c2", "slow", "")).await;
    assert_eq!(output.content, "the second version");

    release.notify_one();
    let output = tokio::time::timeout(Duration::from_secs(5), in_flight)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(output.content, "the first version");
}

#[tokio::test]
async fn an_assistant_offers_the_tools_of_its_live_registry_at_each_request() {
    let live = LiveRegistry::new(city_tools::registry());
    let model = Arc::new(ScriptedModel::new([
        ScriptedReply::text("Hello."),
        ScriptedReply::tool_calls([("order", r#"{"items": []}"#)]),
        ScriptedReply::text("Ordered."),
    ]));
    let assistant = Assistant::from_live(model.clone(), live.clone());
    assistant.run(Thread::from(vec![Message::user("Hi")])).await;

    let order = RuntimeTool::new(
        ToolDefinition::new(
            "order",
            "Order.",
            json!({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "string"}}}}),
        ),
        |_| async { Ok("ordered".to_owned()) },
    )
    .unwrap();
    live.update(|registry| {
        registry.remove("get_current_weather");
        registry.register_runtime(order).map(|_| ())
    })
    .unwrap();
    let run = assistant
        .run(Thread::from(vec![Message::user("Order nothing.")]))
        .await;
    assert_eq!(run.answer(), Some("Ordered."));
    assert!(
        matches!(&run.thread().messages()[2], Message::Tool { content, is_error: false, .. } if content == "ordered")
    );

    let offered: Vec<Vec<String>> = model
        .requests()
        .into_iter()
        .map(|request| request.tools)
        .collect();
    assert_eq!(
        offered,
        [
            vec!["get_current_weather", "get_nickname"],
            vec!["get_nickname", "order"],
            vec!["get_nickname", "order"],
        ]
    );
}

#[tokio::test]
async fn run_time_tools_are_served_over_mcp_as_tool_functions_are() {
    let compiled = city_tools::registry();
    let (client_end, server_end) = tokio::io::duplex(1 << 16);
    let (read, write) = tokio::io::split(server_end);
    tokio::spawn(McpServer::new(twins()).serve(read, write));
    let client = ().serve(client_end).await.unwrap();

    let listed = serde_json::to_value(client.list_all_tools().await.unwrap()).unwrap();
    assert_eq!(listed, compiled.export(ToolFormat::Mcp));
    let arguments = json!({"location": "Paris", "unit": "celsius"});
    let result = client
        .call_tool(
            CallToolRequestParams::new("get_current_weather")
                .with_arguments(arguments.as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    let result = serde_json::to_value(result).unwrap();
    assert_eq!(
        result["content"],
        json!([{"type": "text", "text": "Paris: 22 C"}])
    );
    let result = client
        .call_tool(CallToolRequestParams::new("get_nickname"))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    client.cancel().await.unwrap();
}

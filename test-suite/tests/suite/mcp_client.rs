//! MCP servers as a tool source (`tool_runtime::mcp_client`): our own MCP server as the
//! other end (a registry served and imported back is the same registry), an assistant run
//! calling an MCP tool and a `#[tool]` function in parallel, and badly behaved servers
//! (`tests/mcp-servers/bad_server.py`, plain Python 3: skipped, saying so, without
//! `python3`) after which the registry stays usable and says what it refused.

use std::path::Path;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use tool_runtime::chat::Message;
use tool_runtime::format::SchemaForm;
use tool_runtime::live::LiveRegistry;
use tool_runtime::mcp::McpServer;
use tool_runtime::mcp_client::{ApprovalPolicy, McpSource, McpTools};
use tool_runtime::run::{Assistant, RunStatus, Thread};
use tool_runtime::testing::{ScriptedModel, ScriptedReply};
use tool_runtime::validate::OnViolation;
use tool_runtime::{tool, Json, ToolCall, ToolFormat, ToolRegistry};

use crate::support::city_tools;

#[derive(Serialize, schemars::JsonSchema)]
struct Sum {
    /// The sum.
    total: i64,
}

/// Add two numbers.
///
/// # Arguments
/// * `a` - The first number.
/// * `b` - The second number.
#[tool(read_only, idempotent)]
fn add(a: i64, b: i64) -> Json<Sum> {
    Json(Sum { total: a + b })
}

/// The city tools and `add` (typed output, annotations).
fn served() -> ToolRegistry {
    let mut registry = city_tools::registry();
    registry.register(Add).unwrap();
    registry
}

async fn serve(registry: ToolRegistry) -> tool_runtime::mcp::HttpServer {
    McpServer::new(registry)
        .serve_http(([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_registry_served_over_mcp_and_imported_back_is_the_same_registry() {
    let server = serve(served()).await;
    // `Never`: approval is not in the protocol, so only a policy that adds none gives back
    // the very markers.
    let tools = McpSource::http(server.url())
        .with_approval(ApprovalPolicy::Never)
        .connect()
        .await
        .unwrap();
    assert_eq!(tools.server(), "tool-runtime");
    let mut imported = ToolRegistry::new();
    let report = tools.register_into(&mut imported);
    assert!(report.is_complete(), "{report}");
    assert_eq!(
        report.imported,
        ["get_current_weather", "get_nickname", "add"]
    );

    let original = served();
    for format in ToolFormat::ALL {
        for form in [SchemaForm::Declared, SchemaForm::Plain] {
            assert_eq!(
                imported.export_with(format, form),
                original.export_with(format, form),
                "{format} {form:?}"
            );
        }
    }
    assert_eq!(imported.snapshot(), original.snapshot());

    let calls = [
        ToolCall::new(
            "c1",
            "get_current_weather",
            r#"{"location": "Paris", "unit": "celsius"}"#,
        ),
        ToolCall::new(
            "c2",
            "get_current_weather",
            r#"{"location": "Oslo", "unit": null}"#,
        ),
        ToolCall::new("c3", "get_nickname", r#"{"location": "Paris"}"#),
        ToolCall::new("c4", "get_nickname", "{}"),
        ToolCall::new("c5", "add", r#"{"a": 2, "b": 3}"#),
    ];
    let ours = imported.dispatch_all(&calls).await;
    assert_eq!(ours, original.dispatch_all(&calls).await);
    assert_eq!(ours[4].content, r#"{"total":5}"#);
    assert_eq!(
        ours[3].content,
        "invalid arguments for tool `get_nickname`: missing field `location`"
    );

    // The default policy: approval for all but the read-only tool.
    let cautious = McpSource::http(server.url()).connect().await.unwrap();
    let approvals: Vec<(String, bool)> = cautious
        .tools()
        .iter()
        .map(|tool| {
            (
                tool.definition().name().to_owned(),
                tool.definition().markers().needs_approval(),
            )
        })
        .collect();
    assert_eq!(
        approvals,
        [
            ("get_current_weather".to_owned(), true),
            ("get_nickname".to_owned(), true),
            ("add".to_owned(), false)
        ]
    );
    tools.close().await;
    cautious.close().await;
    // Closed: the tools answer, with an error, without reaching for the server.
    let output = imported.dispatch(&calls[4]).await;
    assert!(output.is_error);
    assert_eq!(
        output.content,
        "tool `add` cannot run: its MCP server `tool-runtime` is gone (the session was closed)"
    );
    server.shutdown().await.unwrap();
}

/// Both sides of the parallel test wait here for each other: run one after the other,
/// neither would return.
static MEETING: LazyLock<tokio::sync::Barrier> = LazyLock::new(|| tokio::sync::Barrier::new(2));

/// Wait for the other side.
#[tool(read_only)]
async fn meet() -> &'static str {
    MEETING.wait().await;
    "met over MCP"
}

/// Wait for the other side, here.
#[tool]
async fn greet() -> &'static str {
    MEETING.wait().await;
    "met here"
}

#[tokio::test]
async fn an_assistant_calls_an_mcp_tool_and_a_tool_function_in_one_turn_in_parallel() {
    let mut remote = ToolRegistry::new();
    remote.register(Meet).unwrap();
    let server = serve(remote).await;
    let mcp = McpSource::http(server.url())
        .with_prefix("remote_")
        .connect()
        .await
        .unwrap();
    let mut local = ToolRegistry::new();
    local.register(Greet).unwrap();
    let live = LiveRegistry::new(local);
    let report = mcp.attach(&live);
    assert_eq!(report.imported, ["remote_meet"]);

    let model = Arc::new(ScriptedModel::new([
        ScriptedReply::tool_calls([("remote_meet", "{}"), ("greet", "")]),
        ScriptedReply::text("Both met."),
    ]));
    let assistant = Assistant::from_live(model.clone(), live);
    let run = tokio::time::timeout(
        Duration::from_secs(20),
        assistant.run(Thread::from(vec![Message::user("Meet.")])),
    )
    .await
    .expect("the two calls ran at once");
    assert_eq!(run.status(), RunStatus::Completed);
    let outputs: Vec<&str> = run
        .thread()
        .messages()
        .iter()
        .filter_map(|message| match message {
            Message::Tool {
                content,
                is_error: false,
                ..
            } => Some(content.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(outputs, ["met over MCP", "met here"]);
    assert_eq!(model.requests()[0].tools, ["greet", "remote_meet"]);
    mcp.close().await;
    server.shutdown().await.unwrap();
}

const SERVERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp-servers");

/// The bad server in `mode`, or `None` (said on stderr) without python3.
fn bad_server(mode: &str) -> Option<McpSource> {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED mcp_client bad servers: `python3` is not on the PATH");
        return None;
    }
    let script = Path::new(SERVERS).join("bad_server.py");
    Some(McpSource::stdio(
        "python3",
        [script.to_string_lossy().into_owned(), mode.to_owned()],
    ))
}

#[tokio::test]
async fn a_server_with_bad_tools_gets_the_good_ones_registered_and_a_report_of_the_rest() {
    let Some(source) = bad_server("schemas") else {
        return;
    };
    let tools = source.connect().await.unwrap();
    let mut registry = city_tools::registry();
    let report = tools.register_into(&mut registry);
    assert_eq!(report.server, "bad-server-schemas");
    assert_eq!(report.imported, ["good"]);
    let refused: Vec<(&str, &str)> = (report.refused.iter())
        .map(|refused| (refused.tool.as_str(), refused.reason.as_str()))
        .collect();
    assert_eq!(refused[0].0, "weird_type");
    assert!(
        refused[0].1.contains(
            r#""text" is not valid under any of the schemas listed in the 'anyOf' keyword"#
        ),
        "{}",
        refused[0].1
    );
    assert_eq!(refused[1].0, "bad_required");
    assert!(
        refused[1]
            .1
            .contains("`required` names `missing`, which is not a property"),
        "{}",
        refused[1].1
    );
    assert_eq!(
        refused[2],
        ("good", "tool name `good` is already taken by `tool_runtime::tool::RuntimeTool`, so `tool_runtime::tool::RuntimeTool` cannot be registered; rename one with #[tool(name = \"...\")] (an MCP server's tools with McpSource::with_prefix)")
    );
    assert_eq!(
        refused[3],
        (
            "not.portable",
            "tool name `not.portable` is not valid: it must match ^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$"
        )
    );
    assert_eq!(refused.len(), 4);
    let text = report.to_string();
    assert!(
        text.starts_with(
            "MCP server `bad-server-schemas`: 1 tool(s) registered; 4 refused:\n- `weird_type`: "
        ),
        "{text}"
    );

    // The registry goes on, with the good tool beside the others.
    assert_eq!(
        registry.names().collect::<Vec<_>>(),
        ["get_current_weather", "get_nickname", "good"]
    );
    assert!(!registry
        .definition("good")
        .unwrap()
        .markers()
        .needs_approval()); // readOnlyHint
    let output = registry
        .dispatch(&ToolCall::new("c1", "good", r#"{"text": "hi"}"#))
        .await;
    assert_eq!(
        (output.content.as_str(), output.is_error),
        (r#"{"text": "hi"}"#, false)
    );
    let output = registry
        .dispatch(&ToolCall::new(
            "c2",
            "get_nickname",
            r#"{"location": "Paris"}"#,
        ))
        .await;
    assert_eq!(output.content, "Paris: the City of Light");
    tools.close().await;
}

#[tokio::test]
async fn ten_thousand_tools_are_cut_at_the_limit_or_all_read_when_allowed() {
    let Some(source) = bad_server("many") else {
        return;
    };
    let tools = source.clone().connect().await.unwrap();
    let mut registry = ToolRegistry::new();
    let report = tools.register_into(&mut registry);
    assert!(report.truncated);
    // The limit, then the providers' own limit on the tools of one request.
    assert_eq!(report.imported.len(), 128);
    assert_eq!(report.refused.len(), 1_000 - 128);
    assert!(
        report.refused[0]
            .reason
            .contains("a request can offer at most 128 tools"),
        "{}",
        report.refused[0].reason
    );
    assert!(report
        .to_string()
        .contains("; the server has more tools than the tool list limit"));
    tools.close().await;

    // All ten pages, into a registry that checks only the MCP format.
    let started = Instant::now();
    let tools = source.with_max_tools(20_000).connect().await.unwrap();
    let mut registry = ToolRegistry::new().with_validation([ToolFormat::Mcp], OnViolation::Error);
    let report = tools.register_into(&mut registry);
    assert!(report.is_complete(), "{report}");
    assert_eq!(registry.len(), 10_000);
    let output = registry
        .dispatch(&ToolCall::new("c1", "tool_9999", r#"{"text": "last"}"#))
        .await;
    assert_eq!(output.content, r#"{"text": "last"}"#); // as Python writes it
    eprintln!(
        "10,000 tools listed and registered in {:?}",
        started.elapsed()
    );
    tools.close().await;
}

#[tokio::test]
async fn a_reply_that_never_comes_times_out_and_the_server_hears_the_cancellation() {
    let Some(source) = bad_server("silent") else {
        return;
    };
    let log = std::env::temp_dir().join(format!("mcp-cancel-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let tools = source
        .with_env("CANCEL_LOG", log.to_string_lossy())
        .with_approval(ApprovalPolicy::Never)
        .with_call_timeout(Duration::from_millis(300))
        .connect()
        .await
        .unwrap();
    let mut registry = ToolRegistry::new();
    tools.register_into(&mut registry);
    let started = Instant::now();
    let output = registry
        .dispatch(&ToolCall::new("c1", "echo", r#"{"text": "hello?"}"#))
        .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        (output.content.as_str(), output.is_error),
        ("tool `echo` of MCP server `bad-server-silent` did not answer within 300ms; the call was cancelled", true)
    );
    let cancelled = wait_for_lines(&log, 1).await;
    assert!(
        cancelled[0]["requestId"].is_number() || cancelled[0]["requestId"].is_string(),
        "{cancelled:?}"
    );
    assert!(tools.gone().is_none()); // slow is not dead

    // Cancelling a run cancels its MCP call.
    let live = LiveRegistry::new(registry);
    let model = ScriptedModel::new([ScriptedReply::tool_calls([("echo", r#"{"text": "wait"}"#)])]);
    let assistant = Assistant::from_live(Arc::new(model), live);
    let mut run = assistant.start(Thread::from(vec![Message::user("Echo.")]));
    let handle = run.cancel_handle();
    let stop = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        handle.cancel();
    };
    tokio::join!(assistant.drive(&mut run), stop);
    assert_eq!(run.status(), RunStatus::Cancelled);
    let cancelled = wait_for_lines(&log, 2).await;
    assert_ne!(cancelled[0]["requestId"], cancelled[1]["requestId"]);
    tools.close().await;
    let _ = std::fs::remove_file(&log);
}

/// The JSON lines of `path` once there are `count`, waiting up to 10 s.
async fn wait_for_lines(path: &Path, count: usize) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        if lines.len() >= count || Instant::now() > deadline {
            assert_eq!(lines.len(), count, "notifications/cancelled received");
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_server_that_exits_mid_call_is_reported_once_and_its_tools_fail_clearly() {
    let Some(source) = bad_server("exit") else {
        return;
    };
    let tools = source.connect().await.unwrap();
    let mut registry = city_tools::registry();
    tools.register_into(&mut registry);
    let output = registry
        .dispatch(&ToolCall::new("c1", "echo", r#"{"text": "bye"}"#))
        .await;
    assert!(output.is_error);
    assert!(
        output
            .content
            .starts_with("tool `echo` cannot run: its MCP server `bad-server-exit` is gone ("),
        "{}",
        output.content
    );
    assert!(tools.gone().is_some());
    let started = Instant::now();
    let again = registry
        .dispatch(&ToolCall::new("c2", "grow", r#"{"text": "?"}"#))
        .await;
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "no waiting on a dead server"
    );
    assert_eq!(
        again.content,
        format!(
            "tool `grow` cannot run: its MCP server `bad-server-exit` is gone ({})",
            tools.gone().unwrap()
        )
    );
    // The rest of the registry is fine.
    let output = registry
        .dispatch(&ToolCall::new(
            "c3",
            "get_nickname",
            r#"{"location": "Paris"}"#,
        ))
        .await;
    assert_eq!(output.content, "Paris: the City of Light");
}

#[tokio::test]
async fn tools_list_changed_refreshes_the_live_registry() {
    let Some(source) = bad_server("changing") else {
        return;
    };
    let tools: McpTools = source.with_prefix("srv_").connect().await.unwrap();
    let live = LiveRegistry::new(city_tools::registry());
    let report = tools.attach(&live);
    assert_eq!(report.imported, ["srv_echo", "srv_grow"]);
    let output = live
        .load()
        .dispatch(&ToolCall::new("c1", "srv_grow", r#"{"text": "more"}"#))
        .await;
    assert_eq!(output.content, "grown");
    let deadline = Instant::now() + Duration::from_secs(10);
    while live.load().definition("srv_grown").is_none() {
        assert!(
            Instant::now() < deadline,
            "the new tool never came: {:?}",
            live.load()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        live.load().names().collect::<Vec<_>>(),
        [
            "get_current_weather",
            "get_nickname",
            "srv_echo",
            "srv_grow",
            "srv_grown"
        ]
    );
    assert_eq!(
        tools.report().imported,
        ["srv_echo", "srv_grow", "srv_grown"]
    );
    tools.detach(&live);
    assert_eq!(
        live.load().names().collect::<Vec<_>>(),
        ["get_current_weather", "get_nickname"]
    );
    tools.close().await;
}

#[tokio::test]
async fn a_result_past_the_size_bound_is_cut_saying_so() {
    let server = serve(served()).await;
    let tools = McpSource::http(server.url())
        .with_max_result_bytes(24)
        .connect()
        .await
        .unwrap();
    let mut registry = ToolRegistry::new();
    tools.register_into(&mut registry);
    let location = "x".repeat(1_000);
    let arguments = serde_json::json!({ "location": location }).to_string();
    let output = registry
        .dispatch(&ToolCall::new("c1", "get_nickname", arguments))
        .await;
    assert_eq!(
        (output.content.as_str(), output.is_error),
        (
            "xxxxxxxxxxxxxxxxxxxxxxxx\n[cut: the result was 1019 bytes; the limit is 24]", // 1,000 x and ": the City of Light"
            false
        )
    );
    tools.close().await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_gone_server_is_connected_again_and_its_tools_work_anew() {
    let Some(source) = bad_server("changing") else {
        return;
    };
    let tools = source.connect().await.unwrap();
    let live = LiveRegistry::new(city_tools::registry());
    tools.attach(&live);
    tools.close().await;
    let call = ToolCall::new("c1", "echo", r#"{"text": "again"}"#);
    let output = live.load().dispatch(&call).await;
    assert_eq!(
        output.content,
        "tool `echo` cannot run: its MCP server `bad-server-changing` is gone (the session was closed)"
    );
    let fresh = tools.reconnect().await.unwrap();
    assert!(fresh.gone().is_none());
    assert_eq!(fresh.report().imported, ["echo", "grow"]);
    assert_eq!(
        live.load().names().collect::<Vec<_>>(),
        ["get_current_weather", "get_nickname", "echo", "grow"]
    );
    let output = live.load().dispatch(&call).await;
    assert_eq!(
        (output.content.as_str(), output.is_error),
        (r#"{"text": "again"}"#, false)
    );
    fresh.close().await;
}

#[tokio::test]
async fn our_own_server_over_stdio_gives_back_the_task_planners_tools() {
    use examples::tasks;
    let binary = crate::suite::mcp_typescript::server_binary();
    let tools = McpSource::stdio(binary.to_string_lossy(), ["--db", ":memory:"])
        .with_approval(ApprovalPolicy::Never)
        .connect()
        .await
        .unwrap();
    let mut imported = ToolRegistry::new();
    let report = tools.register_into(&mut imported);
    assert!(report.is_complete(), "{report}");
    // The server hides the tool that needs approval.
    let mut original = tasks::registry(tasks::Store::in_memory().unwrap()).unwrap();
    assert!(original.remove("delete_all_tasks"));
    for format in ToolFormat::ALL {
        assert_eq!(imported.export(format), original.export(format), "{format}");
    }
    let calls = [
        ToolCall::new(
            "c1",
            "add_task",
            r#"{"name": "Write the client", "priority": 2}"#,
        ),
        ToolCall::new("c2", "get_tasks", ""),
        ToolCall::new("c3", "complete_task", r#"{"id": "t-9"}"#),
    ];
    let mut outputs = Vec::new();
    for call in &calls {
        outputs.push(imported.dispatch(call).await);
    }
    let mut expected = Vec::new();
    for call in &calls {
        expected.push(original.dispatch(call).await);
    }
    // The same outputs but for the creation time.
    let mask = |text: &str| {
        let mut value =
            serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::from(text));
        without_times(&mut value);
        value
    };
    for (ours, theirs) in outputs.iter().zip(&expected) {
        assert_eq!(mask(&ours.content), mask(&theirs.content));
        assert_eq!(ours.is_error, theirs.is_error, "{}", ours.content);
    }
    assert!(outputs[2].is_error);
    tools.close().await;
}

fn without_times(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(members) => {
            members.remove("created_at");
            members.values_mut().for_each(without_times);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_times),
        _ => {}
    }
}

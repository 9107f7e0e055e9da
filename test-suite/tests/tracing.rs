//! A run is visible to any `tracing` subscriber: spans for the run, each turn, each model
//! request and each tool call (tool name, call id: OpenTelemetry's names, tests/otel.rs
//! checks them all), and an event per finished call with
//! its duration and whether it failed. The model is a scripted one. And the MCP server
//! says at startup which tools it hides; the Assistants server has a span per request and
//! per run; the MCP client reports a dead server once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tool_runtime::chat::Message;
use tool_runtime::run::{Assistant, RunStatus, Thread};
use tool_runtime::testing::{ScriptedModel, ScriptedReply};
use tool_runtime::{tool, ToolRegistry};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Add two numbers.
///
/// # Arguments
/// * `a` - The first.
/// * `b` - The second.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// A span's or an event's fields, as (name, value) text.
type FieldList = Vec<(String, String)>;

/// What was recorded: spans as (name, fields), events as their fields.
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<Vec<(String, FieldList)>>>,
    events: Arc<Mutex<Vec<FieldList>>>,
    next: Arc<AtomicU64>,
}

struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut fields = Fields(Vec::new());
        attributes.record(&mut fields);
        self.spans
            .lock()
            .unwrap()
            .push((attributes.metadata().name().to_owned(), fields.0));
        Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        self.events.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn a_run_shows_its_turns_model_requests_and_tool_calls() {
    let mut registry = ToolRegistry::new();
    registry.register(Add).expect("one tool");
    let model = ScriptedModel::new([
        ScriptedReply::tool_calls([("add", r#"{"a": 1, "b": 2}"#), ("add", r#"{"a": "x"}"#)]),
        ScriptedReply::text("3"),
    ]);
    let assistant = Assistant::new(model, registry);
    let recorder = Recorder::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let run = tracing::subscriber::with_default(recorder.clone(), || {
        runtime.block_on(assistant.run(Thread::from(vec![Message::user("1 + 2?")])))
    });
    assert_eq!(run.status(), RunStatus::Completed);

    let spans = recorder.spans.lock().unwrap().clone();
    let names: Vec<&str> = spans.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names.iter().filter(|n| **n == "run").count(),
        1,
        "{names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| **n == "turn").count(),
        2,
        "{names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| **n == "model_request").count(),
        2,
        "{names:?}"
    );
    let tool_spans: Vec<&Vec<(String, String)>> = spans
        .iter()
        .filter(|(name, _)| name == "tool_call")
        .map(|(_, fields)| fields)
        .collect();
    assert_eq!(tool_spans.len(), 2);
    assert!(tool_spans
        .iter()
        .all(|fields| field(fields, "gen_ai.tool.name") == Some("add")));
    let ids: Vec<&str> = tool_spans
        .iter()
        .filter_map(|fields| field(fields, "gen_ai.tool.call.id"))
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    assert_eq!(field(&spans[0].1, "run.id"), Some(run.id()));

    let finished: Vec<Vec<(String, String)>> = recorder
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|fields| field(fields, "message") == Some("tool call finished"))
        .cloned()
        .collect();
    let errors: Vec<&str> = finished
        .iter()
        .filter_map(|fields| field(fields, "is_error"))
        .collect();
    assert_eq!(errors, ["false", "true"]);
    assert!(finished
        .iter()
        .all(|fields| field(fields, "elapsed_ms").is_some()));
}

/// Delete everything.
#[tool(destructive)]
fn wipe() {}

#[test]
fn the_mcp_server_says_which_tools_it_hides_when_it_starts() {
    let mut registry = ToolRegistry::new();
    registry
        .register(Add)
        .expect("add")
        .register(Wipe)
        .expect("wipe");
    let recorder = Recorder::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let hidden_lines = |recorder: &Recorder| -> Vec<FieldList> {
        recorder
            .events
            .lock()
            .unwrap()
            .iter()
            .filter(|fields| field(fields, "message").is_some_and(|m| m.contains("hiding")))
            .cloned()
            .collect()
    };
    tracing::subscriber::with_default(recorder.clone(), || {
        runtime.block_on(async {
            let server = tool_runtime::mcp::McpServer::new(registry.clone())
                .serve_http("127.0.0.1:0".parse().expect("an address"))
                .await
                .expect("bound");
            server.shutdown().await.expect("shut down");
        })
    });
    let lines = hidden_lines(&recorder);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(field(&lines[0], "tools"), Some(r#"["wipe"]"#));
    assert!(field(&lines[0], "message").is_some_and(|m| m.contains("allow_destructive(true)")));

    // Allowed: nothing hidden, nothing said.
    let quiet = Recorder::default();
    tracing::subscriber::with_default(quiet.clone(), || {
        runtime.block_on(async {
            let server = tool_runtime::mcp::McpServer::new(registry)
                .allow_destructive(true)
                .serve_http("127.0.0.1:0".parse().expect("an address"))
                .await
                .expect("bound");
            server.shutdown().await.expect("shut down");
        })
    });
    assert!(hidden_lines(&quiet).is_empty());
}

#[test]
fn the_assistants_server_shows_each_request_and_each_run() {
    use serde_json::{json, Value};
    use tool_runtime::server::{AssistantsServer, SqliteStore};

    let recorder = Recorder::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let run_id = tracing::subscriber::with_default(recorder.clone(), || {
        runtime.block_on(async {
            let model = ScriptedModel::new([ScriptedReply::text("Hello.")]);
            let server = AssistantsServer::new(model, SqliteStore::in_memory().expect("sqlite"), "key")
                .serve("127.0.0.1:0".parse().expect("an address"))
                .await
                .expect("bound");
            let http = reqwest::Client::new();
            let post = |path: &str, body: Value| {
                http.post(format!("{}{path}", server.url())).bearer_auth("key").json(&body).send()
            };
            let assistant: Value = post("/assistants", json!({"model": "m"}))
                .await
                .expect("an answer")
                .json()
                .await
                .expect("JSON");
            let run: Value = post(
                "/threads/runs",
                json!({"assistant_id": assistant["id"], "thread": {"messages": [{"role": "user", "content": "Hi"}]}}),
            )
            .await
            .expect("an answer")
            .json()
            .await
            .expect("JSON");
            let url = format!(
                "{}/threads/{}/runs/{}",
                server.url(),
                run["thread_id"].as_str().unwrap_or_default(),
                run["id"].as_str().unwrap_or_default()
            );
            for _ in 0..200 {
                let now: Value = http.get(&url).bearer_auth("key").send().await.expect("an answer").json().await.expect("JSON");
                if now["status"] == "completed" {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            server.shutdown().await.expect("shut down");
            run["id"].as_str().unwrap_or_default().to_owned()
        })
    });
    let spans = recorder.spans.lock().unwrap().clone();
    let requests: Vec<(Option<&str>, Option<&str>)> = spans
        .iter()
        .filter(|(name, _)| name == "assistants_request")
        .map(|(_, fields)| (field(fields, "method"), field(fields, "path")))
        .take(2)
        .collect();
    assert_eq!(
        requests,
        [
            (Some("POST"), Some("/v1/assistants")),
            (Some("POST"), Some("/v1/threads/runs"))
        ]
    );
    let runs: Vec<&FieldList> = spans
        .iter()
        .filter(|(name, _)| name == "assistants_run")
        .map(|(_, fields)| fields)
        .collect();
    assert_eq!(runs.len(), 1);
    assert_eq!(field(runs[0], "run.id"), Some(run_id.as_str()));
    // The loop's own spans, inside.
    assert!(spans.iter().any(|(name, _)| name == "run"));
    assert!(spans.iter().any(|(name, _)| name == "model_request"));
}

/// An MCP server that dies (`tests/mcp-servers/bad_server.py exit`: it exits in the middle
/// of a call) is reported once, however many calls then fail.
#[test]
fn a_dead_mcp_server_is_reported_once() {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED a_dead_mcp_server_is_reported_once: `python3` is not on the PATH");
        return;
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/mcp-servers/bad_server.py"
    );
    let recorder = Recorder::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let outputs = tracing::subscriber::with_default(recorder.clone(), || {
        runtime.block_on(async {
            let tools = tool_runtime::mcp_client::McpSource::stdio("python3", [script, "exit"])
                .connect()
                .await
                .expect("the server starts");
            let mut registry = ToolRegistry::new();
            tools.register_into(&mut registry);
            let mut outputs = Vec::new();
            for id in ["c1", "c2", "c3"] {
                let call = tool_runtime::ToolCall::new(id, "echo", r#"{"text": "?"}"#);
                outputs.push(registry.dispatch(&call).await);
            }
            outputs
        })
    });
    assert!(outputs.iter().all(|output| output.is_error
        && output
            .content
            .starts_with("tool `echo` cannot run: its MCP server `bad-server-exit` is gone")));
    let reports: Vec<FieldList> = (recorder.events.lock().unwrap().iter())
        .filter(|fields| {
            field(fields, "message").is_some_and(|m| m.contains("the MCP server is gone"))
        })
        .cloned()
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(field(&reports[0], "server"), Some("bad-server-exit"));
}

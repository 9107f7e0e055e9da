//! A run seen through OpenTelemetry: the loop's `tracing` spans go through
//! `tracing-opentelemetry` into the SDK's in-memory exporter, and each exported span is
//! compared whole (its name, kind, status, attributes and place in the tree) with what
//! the GenAI semantic conventions say (docs/observability.md). The runs: a scripted model
//! (named as such) that makes two parallel tool calls, one failing, and then answers; a
//! model request that fails; and an `OpenAiClient` run against a real HTTP server on
//! 127.0.0.1. Alone in its process: it installs its own tracing dispatch.

#[path = "support/model_server.rs"]
#[allow(dead_code)]
mod model_server;

use std::collections::BTreeMap;
use std::future::Future;

use opentelemetry::trace::{SpanId, SpanKind, Status, TracerProvider as _};
use opentelemetry::Value;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use serde_json::json;
use tool_runtime::chat::{ChatResponse, Message, ModelError, Usage};
use tool_runtime::openai::OpenAiClient;
use tool_runtime::run::{Assistant, Run, RunStatus, Thread};
use tool_runtime::testing::{ScriptedModel, ScriptedReply};
use tool_runtime::transport::ClientConfig;
use tool_runtime::{tool, ToolCall, ToolRegistry};
use tracing_subscriber::layer::SubscriberExt;

use model_server::{serve, Reply};

/// Fetch the report.
#[tool]
fn fetch_report() -> &'static str {
    "the report"
}

/// Send the report; the mail server is down.
#[tool]
fn send_report() -> Result<&'static str, String> {
    Err("the mail server is down".into())
}

/// An exported span, compared whole: its children in the order they started.
#[derive(Debug, PartialEq)]
struct Node {
    name: String,
    kind: SpanKind,
    status: Status,
    attributes: BTreeMap<String, Value>,
    children: Vec<Node>,
}

/// Runs `work` on a current-thread runtime with an OpenTelemetry pipeline as the tracing
/// dispatch, as an application wires it; returns its result and the spans exported.
fn traced<T>(work: impl Future<Output = T>) -> (T, Vec<SpanData>) {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    // Only the loop's attributes: no source locations, threads, timings or targets.
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("otel-test"))
        .with_location(false)
        .with_threads(false)
        .with_tracked_inactivity(false)
        .with_target(false);
    let subscriber = tracing_subscriber::registry().with(layer);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let result = tracing::subscriber::with_default(subscriber, || runtime.block_on(work));
    provider.force_flush().expect("the spans are flushed");
    let spans = exporter.get_finished_spans().expect("the exported spans");
    (result, spans)
}

/// The tree the spans make: one root, each span under its parent (by span id), all in
/// one trace.
fn tree(spans: &[SpanData]) -> Node {
    let trace = spans[0].span_context.trace_id();
    assert!(
        spans
            .iter()
            .all(|span| span.span_context.trace_id() == trace),
        "one trace"
    );
    let roots: Vec<&SpanData> = spans
        .iter()
        .filter(|span| span.parent_span_id == SpanId::INVALID)
        .collect();
    assert_eq!(roots.len(), 1, "one root: {roots:?}");
    node(roots[0], spans)
}

fn node(span: &SpanData, spans: &[SpanData]) -> Node {
    let mut children: Vec<&SpanData> = spans
        .iter()
        .filter(|child| child.parent_span_id == span.span_context.span_id())
        .collect();
    children.sort_by_key(|child| child.start_time);
    Node {
        name: span.name.to_string(),
        kind: span.span_kind.clone(),
        status: span.status.clone(),
        attributes: span
            .attributes
            .iter()
            .map(|kv| (kv.key.to_string(), kv.value.clone()))
            .collect(),
        children: children
            .into_iter()
            .map(|child| node(child, spans))
            .collect(),
    }
}

/// Attributes from `(key, value)` pairs.
fn attributes<const N: usize>(pairs: [(&str, Value); N]) -> BTreeMap<String, Value> {
    pairs
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

fn text(value: &str) -> Value {
    Value::from(value.to_owned())
}

fn usage(prompt_tokens: u64, completion_tokens: u64) -> Usage {
    Usage {
        prompt_tokens,
        completion_tokens,
    }
}

/// The span of one turn, around its model request and its tool calls.
fn turn(number: i64, children: Vec<Node>) -> Node {
    Node {
        name: "turn".into(),
        kind: SpanKind::Internal,
        status: Status::Unset,
        attributes: attributes([("turn", Value::I64(number))]),
        children,
    }
}

/// The span of a tool call the loop ran: `failed` with this `error.type`, or not.
fn execute_tool(name: &str, id: &str, failed: Option<&str>) -> Node {
    let mut attributes = attributes([
        ("gen_ai.operation.name", text("execute_tool")),
        ("gen_ai.tool.name", text(name)),
        ("gen_ai.tool.call.id", text(id)),
        ("gen_ai.tool.type", text("function")),
    ]);
    let mut status = Status::Unset;
    if let Some(kind) = failed {
        attributes.insert("error.type".into(), text(kind));
        status = Status::error("");
    }
    Node {
        name: format!("execute_tool {name}"),
        kind: SpanKind::Internal,
        status,
        attributes,
        children: Vec::new(),
    }
}

fn run_of(work: impl Future<Output = Run>) -> (Run, Node) {
    let (run, spans) = traced(work);
    (run, tree(&spans))
}

#[test]
fn a_run_with_two_parallel_calls_one_failing_is_a_genai_span_tree() {
    let mut registry = ToolRegistry::new();
    registry
        .register(FetchReport)
        .and_then(|r| r.register(SendReport))
        .expect("the tools register");
    let calls = ChatResponse::tool_calls(vec![
        ToolCall::new("call_fetch", "fetch_report", "{}"),
        ToolCall::new("call_send", "send_report", "{}"),
    ])
    .with_usage(usage(100, 20))
    .with_id("reply-1")
    .with_model("scripted-model-v1");
    let answer = ChatResponse::text("Fetched; the mail server is down.")
        .with_usage(usage(150, 8))
        .with_id("reply-2");
    let model = ScriptedModel::new([calls.into(), answer.into()]).with_model("scripted-model");
    let assistant = Assistant::new(model, registry);

    let (run, root) = run_of(assistant.run(Thread::from(vec![Message::user(
        "Fetch and send the report",
    )])));

    assert_eq!(run.status(), RunStatus::Completed);
    let chat = |messages: i64, id: &str, model: Option<&str>, reason: &str, used: Usage| {
        let mut attributes = attributes([
            ("messages", Value::I64(messages)),
            ("gen_ai.operation.name", text("chat")),
            ("gen_ai.provider.name", text("scripted")),
            ("gen_ai.request.model", text("scripted-model")),
            ("gen_ai.response.id", text(id)),
            ("gen_ai.response.finish_reasons", text(reason)),
            (
                "gen_ai.usage.input_tokens",
                Value::I64(used.prompt_tokens as i64),
            ),
            (
                "gen_ai.usage.output_tokens",
                Value::I64(used.completion_tokens as i64),
            ),
        ]);
        if let Some(model) = model {
            attributes.insert("gen_ai.response.model".into(), text(model));
        }
        Node {
            name: "chat scripted-model".into(),
            kind: SpanKind::Client,
            status: Status::Unset,
            attributes,
            children: Vec::new(),
        }
    };
    let expected = Node {
        name: "invoke_agent".into(),
        kind: SpanKind::Internal,
        status: Status::Unset,
        attributes: attributes([
            ("run.id", text(run.id())),
            ("status", text("Completed")),
            ("gen_ai.operation.name", text("invoke_agent")),
            ("gen_ai.provider.name", text("scripted")),
            ("gen_ai.request.model", text("scripted-model")),
            ("gen_ai.usage.input_tokens", Value::I64(250)),
            ("gen_ai.usage.output_tokens", Value::I64(28)),
        ]),
        children: vec![
            turn(
                1,
                vec![
                    chat(
                        1,
                        "reply-1",
                        Some("scripted-model-v1"),
                        r#"["tool_calls"]"#,
                        usage(100, 20),
                    ),
                    execute_tool("fetch_report", "call_fetch", None),
                    execute_tool("send_report", "call_send", Some("tool_error")),
                ],
            ),
            // The second request shows the user's message, the calls and both outputs.
            turn(
                2,
                vec![chat(4, "reply-2", None, r#"["stop"]"#, usage(150, 8))],
            ),
        ],
    };
    assert_eq!(root, expected);
}

#[test]
fn a_failed_model_request_and_an_unknown_tool_carry_their_error_type() {
    let model = ScriptedModel::new([
        ScriptedReply::tool_calls([("no_such_tool", "{}")]),
        ScriptedReply::Fail(ModelError::Status {
            status: 429,
            message: "Rate limit reached".into(),
        }),
    ]);
    let assistant = Assistant::new(model, ToolRegistry::new());

    let (run, root) = run_of(assistant.run(Thread::from(vec![Message::user("Go")])));

    assert_eq!(run.status(), RunStatus::Failed);
    let call_id = match &run.thread().messages()[1] {
        Message::Assistant { tool_calls, .. } => tool_calls[0].id.clone(),
        other => panic!("the model's calls, not {other:?}"),
    };
    // The run ended as failed: its span says how (the run error's code), and is an error.
    assert_eq!(root.name, "invoke_agent");
    assert_eq!(root.status, Status::error(""));
    assert_eq!(root.attributes["error.type"], text("model_error"));
    assert_eq!(root.attributes["status"], text("Failed"));
    assert_eq!(
        root.children[0].children[1],
        execute_tool("no_such_tool", &call_id, Some("unknown_tool"))
    );
    let failed = &root.children[1].children[0];
    assert_eq!(
        (failed.name.as_str(), &failed.status),
        ("chat", &Status::error(""))
    );
    assert_eq!(
        failed.attributes,
        attributes([
            ("messages", Value::I64(3)),
            ("gen_ai.operation.name", text("chat")),
            ("gen_ai.provider.name", text("scripted")),
            ("error.type", text("429")),
        ]),
        "no model name, no reply: only what is known"
    );
}

#[test]
fn an_openai_client_run_names_the_provider_and_the_reply() {
    let ((run, requests), spans) = traced(async {
        let chunk = |delta: serde_json::Value, finish: serde_json::Value| {
            let chunk = json!({"id": "chatcmpl-otel", "object": "chat.completion.chunk",
                "model": "test-model-2024-01-01",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
            format!("data: {chunk}\n\n")
        };
        let usage = json!({"id": "chatcmpl-otel", "object": "chat.completion.chunk",
            "model": "test-model-2024-01-01", "choices": [],
            "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}});
        let server = serve(
            "/v1/chat/completions",
            [Reply::sse([
                chunk(
                    json!({"role": "assistant", "content": "Hello"}),
                    json!(null),
                ),
                chunk(json!({}), json!("stop")),
                format!("data: {usage}\n\n"),
                "data: [DONE]\n\n".to_owned(),
            ])],
        )
        .await;
        let client = OpenAiClient::new(
            ClientConfig::new(format!("{}/v1", server.base_url), "test-model").with_retries(0),
        );
        let run = Assistant::new(client, ToolRegistry::new())
            .run(Thread::from(vec![Message::user("Hi")]))
            .await;
        (run, server.bodies().len())
    });

    assert_eq!((run.status(), requests), (RunStatus::Completed, 1));
    let root = tree(&spans);
    assert_eq!(root.attributes["gen_ai.provider.name"], text("openai"));
    assert_eq!(root.attributes["gen_ai.request.model"], text("test-model"));
    assert_eq!(
        root.children[0].children,
        [Node {
            name: "chat test-model".into(),
            kind: SpanKind::Client,
            status: Status::Unset,
            attributes: attributes([
                ("messages", Value::I64(1)),
                ("gen_ai.operation.name", text("chat")),
                ("gen_ai.provider.name", text("openai")),
                ("gen_ai.request.model", text("test-model")),
                ("gen_ai.response.id", text("chatcmpl-otel")),
                ("gen_ai.response.model", text("test-model-2024-01-01")),
                ("gen_ai.response.finish_reasons", text(r#"["stop"]"#)),
                ("gen_ai.usage.input_tokens", Value::I64(9)),
                ("gen_ai.usage.output_tokens", Value::I64(2)),
            ]),
            children: Vec::new(),
        }]
    );
}

/// The README's "Monitoring" wiring is this test's code, between the markers: it
/// compiles, it exports a run, and the README shows it as it is here.
#[tokio::test(flavor = "current_thread")]
async fn the_readme_wiring_exports_a_run() -> Result<(), Box<dyn std::error::Error>> {
    let assistant = Assistant::new(
        ScriptedModel::new([ScriptedReply::text("Hi.")]),
        ToolRegistry::new(),
    );
    let thread = Thread::from(vec![Message::user("Hi")]);
    // README: monitoring
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
    use tracing_subscriber::layer::SubscriberExt;

    // Any span exporter: opentelemetry-otlp's for a collector, the in-memory one here.
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("my-assistant"));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))?;

    let run = assistant.run(thread).await; // one trace: invoke_agent > turn > chat
    provider.force_flush()?;
    // README: end
    assert_eq!(run.status(), RunStatus::Completed);
    // The run's trace (the global dispatch sees any other thread's spans too).
    let spans = exporter.get_finished_spans()?;
    let root = spans
        .iter()
        .find(|span| span.name == "invoke_agent")
        .expect("the run's span");
    let names: Vec<&str> = spans
        .iter()
        .filter(|span| span.span_context.trace_id() == root.span_context.trace_id())
        .map(|span| span.name.as_ref())
        .collect();
    assert_eq!(
        names,
        ["chat", "turn", "invoke_agent"],
        "in the order they ended"
    );

    let source = include_str!("otel.rs");
    let snippet: Vec<&str> = source
        .lines()
        .skip_while(|line| line.trim() != "// README: monitoring")
        .skip(1)
        .take_while(|line| line.trim() != "// README: end")
        .map(|line| line.strip_prefix("    ").unwrap_or(line))
        .collect();
    let block = format!("<!-- otel-wiring -->\n```rust\n{}\n```", snippet.join("\n"));
    assert!(
        include_str!("../../README.md").contains(&block),
        "the README shows the wiring as it is here:\n{block}"
    );
    Ok(())
}

//! MCP client tests against a server nobody here wrote: the reference server
//! `@modelcontextprotocol/server-everything` (pinned in
//! `tests/mcp-servers/everything/package-lock.json`), spawned over stdio.
//!
//! Needs Node.js 18+ and npm: the server is installed with `npm ci` when
//! `tests/mcp-servers/everything/node_modules` lacks it (a few seconds). Without `node` on
//! the PATH the tests say so on stderr and pass without running.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tool_runtime::chat::Message;
use tool_runtime::live::LiveRegistry;
use tool_runtime::mcp_client::{ApprovalPolicy, McpSource, McpTools};
use tool_runtime::run::{Assistant, RunStatus, Thread};
use tool_runtime::testing::{ScriptedModel, ScriptedReply};
use tool_runtime::{ToolCall, ToolFormat, ToolRegistry};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp-servers/everything");

/// The server's entry point, installed once per test binary; `None` without Node.js.
fn server() -> Option<&'static Path> {
    static SERVER: OnceLock<Option<PathBuf>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            if Command::new("node").arg("--version").output().is_err() {
                eprintln!(
                    "SKIPPED mcp_everything: `node` is not on the PATH; install Node.js 18+ (with npm) \
                     to test the MCP client with the reference server"
                );
                return None;
            }
            let package = Path::new(DIR).join("node_modules/@modelcontextprotocol/server-everything");
            if !package.join("package.json").exists() {
                let output = Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                    .current_dir(DIR)
                    .output()
                    .unwrap_or_else(|e| panic!("node is installed but npm could not run ({e}); install npm"));
                assert!(
                    output.status.success(),
                    "npm ci in {DIR} failed:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            Some(package.join("dist/index.js"))
        })
        .as_deref()
}

fn source(entry: &Path) -> McpSource {
    McpSource::stdio(
        "node",
        [entry.to_string_lossy().into_owned(), "stdio".to_owned()],
    )
    // It would show the model our environment.
    .deny(["get-env"])
}

/// The tools of a connected server in a fresh registry (the default checks).
async fn connect(source: McpSource) -> (McpTools, ToolRegistry) {
    let tools = source.connect().await.expect("server-everything starts");
    let mut registry = ToolRegistry::new();
    let report = tools.register_into(&mut registry);
    assert!(report.is_complete(), "{report}");
    (tools, registry)
}

#[tokio::test]
async fn its_tools_are_listed_filtered_and_exported_in_every_format() {
    let Some(entry) = server() else { return };
    let (tools, registry) = connect(source(entry)).await;
    let report = tools.report();
    assert_eq!(report.server, "mcp-servers/everything");
    assert_eq!(report.filtered, ["get-env"]);
    assert_eq!(
        registry.names().collect::<Vec<_>>(),
        [
            "echo",
            "get-annotated-message",
            "get-resource-links",
            "get-resource-reference",
            "get-structured-content",
            "get-sum",
            "get-tiny-image",
            "gzip-file-as-resource",
            "toggle-simulated-logging",
            "toggle-subscriber-updates",
            "trigger-long-running-operation",
            "simulate-research-query",
        ]
    );
    // Registered means checked against every format the registry checks.
    for format in ToolFormat::ALL {
        if format != ToolFormat::GeminiOpenApi {
            assert_eq!(registry.validate(format), Ok(()), "{format}");
        }
    }
    let echo = &registry.export(ToolFormat::OpenAiChat)[0];
    assert_eq!(
        echo,
        &json!({"type": "function", "function": {
            "name": "echo",
            "description": "Echoes back the input string",
            "parameters": {
                "type": "object",
                "properties": {"message": {"type": "string", "description": "Message to echo"}},
                "required": ["message"],
                "additionalProperties": false
            },
            "strict": true
        }})
    );
    let mcp = &registry.export(ToolFormat::Mcp)[0];
    assert_eq!(
        mcp["annotations"],
        json!({"readOnlyHint": true, "idempotentHint": true})
    );
    assert!(registry
        .definition("get-structured-content")
        .unwrap()
        .output_schema()
        .is_some());
    // The default policy: only read-only tools run without approval.
    let unapproved: Vec<&str> = registry
        .definitions()
        .filter(|definition| !definition.markers().needs_approval())
        .map(|definition| definition.name())
        .collect();
    assert_eq!(unapproved.len(), 8, "{unapproved:?}");
    assert!(!unapproved.contains(&"gzip-file-as-resource"));
    tools.close().await;
}

#[tokio::test]
async fn echo_add_structured_content_and_a_tool_error() {
    let Some(entry) = server() else { return };
    let (tools, registry) = connect(source(entry).with_prefix("ev_")).await;
    let calls = [
        ToolCall::new("c1", "ev_echo", r#"{"message": "hello"}"#),
        ToolCall::new("c2", "ev_get-sum", r#"{"a": 2, "b": 3}"#),
        ToolCall::new("c3", "ev_echo", r#"{"message": 7}"#),
        ToolCall::new(
            "c4",
            "ev_gzip-file-as-resource",
            r#"{"data": "ftp://example.com/file"}"#,
        ),
        ToolCall::new(
            "c5",
            "ev_get-structured-content",
            r#"{"location": "Chicago"}"#,
        ),
    ];
    let outputs = registry.dispatch_all(&calls).await;
    let first: Vec<(&str, bool)> = outputs[..4]
        .iter()
        .map(|output| (output.content.as_str(), output.is_error))
        .collect();
    assert_eq!(
        first,
        [
            ("Echo: hello", false),
            ("The sum of 2 and 3 is 5.", false),
            (r#"invalid arguments for tool `ev_echo`: message: 7 is not of type "string""#, true),
            (
                "Error processing file ftp://example.com/file: Unsupported URL protocol for ftp://example.com/file. Only http, https, and data URLs are supported.",
                true
            ),
        ]
    );
    // structuredContent is the output, and fits the tool's output schema.
    let weather: Value = serde_json::from_str(&outputs[4].content).unwrap();
    let schema = registry
        .definition("ev_get-structured-content")
        .unwrap()
        .output_schema()
        .unwrap();
    assert!(jsonschema::is_valid(schema, &weather), "{weather}");
    tools.close().await;
}

#[tokio::test]
async fn a_long_running_tool_finishes_times_out_or_is_cancelled_with_its_run() {
    let Some(entry) = server() else { return };
    let (tools, registry) = connect(
        source(entry)
            .with_approval(ApprovalPolicy::Never)
            .with_call_timeout(Duration::from_secs(4)),
    )
    .await;
    let output = registry
        .dispatch(&ToolCall::new(
            "c1",
            "trigger-long-running-operation",
            r#"{"duration": 1, "steps": 2}"#,
        ))
        .await;
    assert_eq!(
        (output.content.as_str(), output.is_error),
        (
            "Long running operation completed. Duration: 1 seconds, Steps: 2.",
            false
        )
    );
    let started = Instant::now();
    let output = registry
        .dispatch(&ToolCall::new(
            "c2",
            "trigger-long-running-operation",
            r#"{"duration": 60, "steps": 2}"#,
        ))
        .await;
    assert_eq!(
        (output.content.as_str(), output.is_error),
        ("tool `trigger-long-running-operation` of MCP server `mcp-servers/everything` did not answer within 4s; the call was cancelled", true)
    );
    assert!(started.elapsed() < Duration::from_secs(10));

    // Cancelling a run drops its call at once, and the server goes on serving.
    let live = LiveRegistry::new(registry);
    let model = ScriptedModel::new([ScriptedReply::tool_calls([(
        "trigger-long-running-operation",
        r#"{"duration": 60, "steps": 60}"#,
    )])]);
    let assistant = Assistant::from_live(Arc::new(model), live.clone());
    let mut run = assistant.start(Thread::from(vec![Message::user("Take your time.")]));
    let handle = run.cancel_handle();
    let started = Instant::now();
    let stop = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        handle.cancel();
    };
    tokio::join!(assistant.drive(&mut run), stop);
    assert_eq!(run.status(), RunStatus::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(3));
    let output = live
        .load()
        .dispatch(&ToolCall::new("c3", "echo", r#"{"message": "still here"}"#))
        .await;
    assert_eq!(output.content, "Echo: still here");
    tools.close().await;
}

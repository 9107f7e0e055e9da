//! MCP client tests against a server written with the official Python SDK (`mcp`, pinned
//! below; `tests/mcp-servers/python_server.py`), over stdio and over streamable HTTP, with
//! a tool whose output has a schema.
//!
//! Needs python3 with `venv`: the SDK is installed with pip into a virtual environment
//! under cargo's target directory (`CARGO_TARGET_TMPDIR`) the first time (some seconds).
//! Without `python3` on the PATH the tests say so on stderr and pass without running.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tool_runtime::mcp_client::{McpSource, McpTools};
use tool_runtime::{ToolCall, ToolFormat, ToolRegistry};

/// The SDK's version, pinned.
use crate::support::programs;

const SDK: &str = "mcp==1.30.0";
const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/mcp-servers/python_server.py"
);

/// The virtual environment's python, set up once per test binary; `None` without python3.
fn python() -> Option<&'static Path> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            programs::venv(
                SDK,
                &[SDK],
                "mcp_python",
                "to test the MCP client against the Python SDK's server",
            )
        })
        .as_deref()
}

/// A registry of the server's tools (the default checks), all of which must register.
fn registry_of(tools: &McpTools) -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    let report = tools.register_into(&mut registry);
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.server, "python-weather");
    registry
}

/// What both transports must give: the definitions, a typed output, a tool error.
async fn exercise(registry: &ToolRegistry) {
    assert_eq!(registry.names().collect::<Vec<_>>(), ["forecast", "divide"]);
    let forecast = registry.definition("forecast").unwrap();
    // Cleaned as every schema is: each `title` became the description it lacked.
    assert_eq!(
        forecast.parameters(),
        &json!({
            "type": "object",
            "description": "forecastArguments",
            "properties": {
                "city": {"type": "string", "description": "City"},
                "days": {"type": "integer", "default": 1, "description": "Days"}
            },
            "required": ["city"],
            "additionalProperties": false
        })
    );
    assert_eq!(
        forecast.output_schema(),
        Some(&json!({
            "type": "object",
            "description": "A day's forecast.",
            "properties": {
                "city": {"type": "string", "description": "The city."},
                "high": {"type": "integer", "description": "The day's highest temperature, in Celsius."},
                "conditions": {"type": "string", "description": "The sky."}
            },
            "required": ["city", "high", "conditions"],
            "additionalProperties": false
        }))
    );
    assert_eq!(
        registry.export(ToolFormat::Mcp)[0]["outputSchema"],
        forecast.output_schema().cloned().unwrap()
    );
    let calls = [
        ToolCall::new("c1", "forecast", r#"{"city": "Oslo"}"#),
        ToolCall::new("c2", "forecast", r#"{"city": "Oslo", "days": 3}"#),
        ToolCall::new("c3", "divide", r#"{"a": 1, "b": 4}"#),
        ToolCall::new("c4", "divide", r#"{"a": 1, "b": 0}"#),
        ToolCall::new("c5", "divide", r#"{"a": 1}"#),
    ];
    let outputs = registry.dispatch_all(&calls).await;
    let got: Vec<(&str, bool)> = outputs
        .iter()
        .map(|o| (o.content.as_str(), o.is_error))
        .collect();
    assert_eq!(
        got,
        [
            (r#"{"city":"Oslo","high":21,"conditions":"sunny"}"#, false),
            (r#"{"city":"Oslo","high":23,"conditions":"sunny"}"#, false),
            (r#"{"result":0.25}"#, false),
            ("Error executing tool divide: cannot divide by zero", true),
            (
                "invalid arguments for tool `divide`: missing field `b`",
                true
            ),
        ]
    );
    let typed: Value = serde_json::from_str(&outputs[0].content).unwrap();
    assert!(jsonschema::is_valid(
        forecast.output_schema().unwrap(),
        &typed
    ));
}

#[tokio::test]
async fn a_python_sdk_server_over_stdio() {
    let Some(python) = python() else { return };
    let tools = McpSource::stdio(python.to_string_lossy(), [SCRIPT, "stdio"])
        .connect()
        .await
        .unwrap();
    exercise(&registry_of(&tools)).await;
    tools.close().await;
}

/// Kills the HTTP server when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_python_sdk_server_over_streamable_http() {
    let Some(python) = python() else { return };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Killed(
        Command::new(python)
            .args([SCRIPT, "http", &port.to_string()])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("http://127.0.0.1:{port}/mcp");
    let deadline = Instant::now() + Duration::from_secs(30);
    let tools = loop {
        match McpSource::http(&url)
            .with_connect_timeout(Duration::from_secs(5))
            .connect()
            .await
        {
            Ok(tools) => break tools,
            Err(error) if Instant::now() < deadline => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("the Python server never answered at {url}: {error}"),
        }
    };
    exercise(&registry_of(&tools)).await;
    tools.close().await;
}

//! The MCP server (`tool_runtime::mcp`) serving the task planner's tools, talked to by
//! rmcp's client over stdio (in process, through a pipe) and streamable HTTP (on
//! loopback), and by hand for what a well-behaved client never sends.

use examples::tasks;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult, ErrorCode};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{RoleClient, ServiceError, ServiceExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};
use tool_runtime::mcp::McpServer;
use tool_runtime::ToolFormat;

type Client = RunningService<RoleClient, ()>;

/// The planner's tools on an empty store in memory.
fn planner() -> McpServer {
    let registry = tasks::registry(tasks::Store::in_memory().unwrap()).unwrap();
    McpServer::new(registry).with_name("task-planner", "1.2.3")
}

/// A server on one end of an in-memory pipe; the other end.
fn pipe(server: McpServer) -> DuplexStream {
    let (client, server_end) = tokio::io::duplex(1 << 16);
    let (read, write) = tokio::io::split(server_end);
    tokio::spawn(server.serve(read, write));
    client
}

async fn stdio_client(server: McpServer) -> Client {
    ().serve(pipe(server))
        .await
        .expect("the client connects over stdio")
}

async fn http_client(server: McpServer) -> (Client, tool_runtime::mcp::HttpServer) {
    let running = server.serve_http(([127, 0, 0, 1], 0).into()).await.unwrap();
    let transport = StreamableHttpClientTransport::from_uri(running.url());
    let client = ().serve(transport).await.expect("the client connects over HTTP");
    (client, running)
}

fn arguments(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

async fn call(client: &Client, name: &str, args: Value) -> Result<CallToolResult, ServiceError> {
    client
        .call_tool(CallToolRequestParams::new(name.to_owned()).with_arguments(arguments(args)))
        .await
}

/// The text of a result's single content block, and its `isError`.
fn text(result: &CallToolResult) -> (Value, bool) {
    let value = serde_json::to_value(result).unwrap();
    assert_eq!(
        value["content"].as_array().map(Vec::len),
        Some(1),
        "{value}"
    );
    assert_eq!(value["content"][0]["type"], "text", "{value}");
    let text = value["content"][0]["text"].as_str().unwrap();
    (
        serde_json::from_str(text).unwrap_or_else(|_| Value::from(text)),
        result.is_error == Some(true),
    )
}

/// The JSON-RPC error of a failed call.
fn rpc_error(result: Result<CallToolResult, ServiceError>) -> (ErrorCode, String) {
    match result {
        Err(ServiceError::McpError(error)) => (error.code, error.message.to_string()),
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

const UNKNOWN: &str =
    "unknown tool `{}`; the tools are: add_task, update_task, complete_task, remove_task, get_tasks";

/// What every transport must do: list, call, fail well, and go on.
async fn exercise(client: &Client) {
    let info = client.peer_info().expect("initialized");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("task-planner")
    );

    // The list is the registry's MCP export less delete_all_tasks, entry for entry.
    let tools = client.list_all_tools().await.unwrap();
    let listed = serde_json::to_value(&tools).unwrap();
    let registry = tasks::registry(tasks::Store::in_memory().unwrap()).unwrap();
    let mut exported = registry.export(ToolFormat::Mcp);
    exported
        .as_array_mut()
        .unwrap()
        .retain(|tool| tool["name"] != "delete_all_tasks");
    assert_eq!(listed, exported);
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "add_task",
            "update_task",
            "complete_task",
            "remove_task",
            "get_tasks"
        ]
    );
    assert_eq!(
        listed[0]["inputSchema"],
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string",
                         "description": "What is to be done, short and specific, e.g. \"Call the dentist\"."},
                "priority": {"type": ["integer", "null"], "minimum": 1, "maximum": 5,
                             "description": "Omit it unless the user gives a priority; a task without one gets 3 (normal). 1 is the most urgent (\"P1\"), 5 the least."}
            },
            "required": ["name"],
            "additionalProperties": false
        })
    );
    // The annotations come from the markers (which hints an unmarked tool gets is the
    // export's business, compared above).
    assert_eq!(listed[2]["annotations"]["idempotentHint"], true);
    assert_eq!(listed[4]["annotations"]["readOnlyHint"], true);

    // A call, through dispatch.
    let added = call(
        client,
        "add_task",
        json!({"name": "Write the MCP tests", "priority": 2}),
    )
    .await
    .unwrap();
    let (task, is_error) = text(&added);
    assert!(!is_error);
    assert_eq!(
        (
            &task["id"],
            &task["name"],
            &task["priority"],
            &task["completed"]
        ),
        (
            &json!("t-1"),
            &json!("Write the MCP tests"),
            &json!(2),
            &json!(false)
        )
    );

    // Arguments of the wrong type: a result the model reads, not a protocol error.
    let wrong = call(
        client,
        "add_task",
        json!({"name": "Nap", "priority": "high"}),
    )
    .await
    .unwrap();
    let (message, is_error) = text(&wrong);
    assert!(is_error);
    let message = message.as_str().unwrap();
    assert!(
        message.starts_with("invalid arguments for tool `add_task`: priority: "),
        "{message}"
    );
    // A tool's own error, too.
    let missing = call(client, "complete_task", json!({"id": "t-99"}))
        .await
        .unwrap();
    assert_eq!(
        text(&missing),
        (
            json!("no task has the id t-99; get_tasks lists the tasks with their ids"),
            true
        )
    );

    // Unknown and hidden tools: JSON-RPC errors, the same for both.
    let (code, message) = rpc_error(call(client, "nope", json!({})).await);
    assert_eq!(
        (code, message),
        (ErrorCode::INVALID_PARAMS, UNKNOWN.replace("{}", "nope"))
    );
    let (code, message) = rpc_error(call(client, "delete_all_tasks", json!({})).await);
    assert_eq!(
        (code, message),
        (
            ErrorCode::INVALID_PARAMS,
            UNKNOWN.replace("{}", "delete_all_tasks")
        )
    );

    // Still serving, and nothing was deleted.
    let listed = call(client, "get_tasks", json!({})).await.unwrap();
    let (tasks, is_error) = text(&listed);
    assert!(!is_error);
    assert_eq!(tasks.as_array().map(Vec::len), Some(1), "{tasks}");
}

#[tokio::test]
async fn rmcp_client_over_stdio() {
    let client = stdio_client(planner()).await;
    exercise(&client).await;
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn rmcp_client_over_http() {
    let (client, server) = http_client(planner()).await;
    exercise(&client).await;
    client.cancel().await.unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn destructive_tools_are_served_when_allowed() {
    for over_http in [false, true] {
        let server = planner().allow_destructive(true);
        let (client, http) = if over_http {
            let (client, http) = http_client(server).await;
            (client, Some(http))
        } else {
            (stdio_client(server).await, None)
        };
        let tools = client.list_all_tools().await.unwrap();
        let last = serde_json::to_value(tools.last().unwrap()).unwrap();
        assert_eq!(last["name"], "delete_all_tasks");
        assert_eq!(last["annotations"]["destructiveHint"], true);
        call(&client, "add_task", json!({"name": "Doomed"}))
            .await
            .unwrap();
        let deleted = call(&client, "delete_all_tasks", json!({})).await.unwrap();
        assert_eq!(text(&deleted), (json!("deleted 1 task"), false));
        client.cancel().await.unwrap();
        if let Some(http) = http {
            http.shutdown().await.unwrap();
        }
    }
}

/// A city's weather.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct Weather {
    /// Degrees Celsius.
    temperature: i8,
}

/// Get the weather in a city.
///
/// # Arguments
/// * `city` - The city, e.g. Paris.
#[tool_runtime::tool(read_only)]
fn get_weather(city: String) -> tool_runtime::Json<Weather> {
    tool_runtime::Json(Weather {
        temperature: if city == "Paris" { 18 } else { 25 },
    })
}

#[tokio::test]
async fn typed_outputs_are_structured_content_too() {
    let mut registry = tool_runtime::ToolRegistry::new();
    registry.register(GetWeather).unwrap();
    let client = stdio_client(McpServer::new(registry)).await;
    let tools = serde_json::to_value(client.list_all_tools().await.unwrap()).unwrap();
    assert_eq!(tools[0]["outputSchema"]["required"], json!(["temperature"]));

    let weather = call(&client, "get_weather", json!({"city": "Paris"}))
        .await
        .unwrap();
    assert_eq!(text(&weather), (json!({"temperature": 18}), false));
    assert_eq!(weather.structured_content, Some(json!({"temperature": 18})));
    // A failure has no structured content: it is not the declared shape.
    let failed = call(&client, "get_weather", json!({})).await.unwrap();
    assert_eq!(
        (failed.is_error, failed.structured_content),
        (Some(true), None)
    );
    client.cancel().await.unwrap();
}

// --- By hand: what rmcp's client would never send -----------------------------------------

const LIMIT: usize = 64 * 1024;

/// A request with `arguments` that are not an object.
fn string_arguments(id: u32) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": "add_task", "arguments": "buy milk"}})
}

const NOT_AN_OBJECT: &str =
    "invalid params of `tools/call`: /arguments: expected an object, found a string";

/// `add_task` with a name of `bytes` bytes.
fn huge(id: u32, bytes: usize) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": "add_task", "arguments": {"name": "x".repeat(bytes)}}})
}

fn get_tasks(id: u32) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": "get_tasks", "arguments": {}}})
}

struct Raw {
    lines: Lines<BufReader<tokio::io::ReadHalf<DuplexStream>>>,
    write: tokio::io::WriteHalf<DuplexStream>,
}

impl Raw {
    /// A session with `server` through an in-memory pipe, initialized; `reply` is the
    /// `initialize` result.
    async fn start(server: McpServer) -> (Self, Value) {
        let (read, write) = tokio::io::split(pipe(server));
        let mut raw = Raw {
            lines: BufReader::new(read).lines(),
            write,
        };
        raw.send(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"}}}),
        )
        .await;
        let initialized = raw.reply().await;
        raw.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        (raw, initialized)
    }

    async fn send(&mut self, message: &Value) {
        self.send_text(&message.to_string()).await;
    }

    async fn send_text(&mut self, line: &str) {
        self.write.write_all(line.as_bytes()).await.unwrap();
        self.write.write_all(b"\n").await.unwrap();
    }

    async fn reply(&mut self) -> Value {
        let line = self.lines.next_line().await.unwrap().expect("a reply");
        serde_json::from_str(&line).unwrap()
    }
}

#[tokio::test]
async fn bad_input_over_stdio_gets_json_rpc_errors_and_the_server_goes_on() {
    let (mut raw, initialized) = Raw::start(planner().with_max_request_bytes(LIMIT)).await;
    assert_eq!(initialized["result"]["serverInfo"]["name"], "task-planner");

    raw.send(&string_arguments(1)).await;
    assert_eq!(
        raw.reply().await,
        json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": NOT_AN_OBJECT}})
    );

    // Too large: refused without keeping it, but answered with its id.
    raw.send(&huge(2, LIMIT)).await;
    assert_eq!(
        raw.reply().await,
        json!({"jsonrpc": "2.0", "id": 2, "error": {"code": -32600,
            "message": format!("the request is larger than the server's limit of {LIMIT} bytes"),
            "data": {"maxRequestBytes": LIMIT}}})
    );

    // Not JSON: dropped (as the official SDKs do); a bad id: an error without one.
    raw.send_text("this is not JSON").await;
    raw.send_text(r#"{"jsonrpc": "2.0", "id": [1], "method": "tools/list"}"#)
        .await;
    let reply = raw.reply().await;
    assert_eq!(
        (reply.get("id"), &reply["error"]["code"]),
        (None, &json!(-32600)),
        "{reply}"
    );

    // A method that does not exist.
    raw.send(&json!({"jsonrpc": "2.0", "id": 3, "method": "tools/frobnicate"}))
        .await;
    assert_eq!(raw.reply().await["error"]["code"], -32601);

    // Just under the limit is fine, and the server still serves.
    raw.send(&huge(4, LIMIT - 200)).await;
    assert_eq!(raw.reply().await["result"]["isError"], false);
    raw.send(&get_tasks(5)).await;
    let reply = raw.reply().await;
    assert_eq!(
        (&reply["id"], &reply["result"]["isError"]),
        (&json!(5), &json!(false))
    );
}

#[tokio::test]
async fn bad_input_over_http_gets_protocol_errors_and_the_server_goes_on() {
    let server = planner()
        .with_max_request_bytes(LIMIT)
        .serve_http(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let post = |body: String| {
        http.post(server.url())
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .header("mcp-protocol-version", "2025-06-18")
            .body(body)
            .send()
    };
    let reply = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        (
            status,
            serde_json::from_str::<Value>(&body).unwrap_or(Value::from(body)),
        )
    };

    let (status, body) = reply(post(string_arguments(1).to_string()).await.unwrap()).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": NOT_AN_OBJECT}})
        )
    );

    let (status, body) = reply(post(huge(2, LIMIT).to_string()).await.unwrap()).await;
    assert_eq!(
        (status, &body["error"]["code"], body.get("id")),
        (413, &json!(-32600), None)
    );

    let (status, body) = reply(post("this is not JSON".into()).await.unwrap()).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!(-32700)),
        "{body}"
    );

    let (status, body) = reply(post(json!([get_tasks(3)]).to_string()).await.unwrap()).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!(-32600)),
        "{body}"
    );

    let (status, body) = reply(post(huge(4, LIMIT - 200).to_string()).await.unwrap()).await;
    assert_eq!(
        (status, &body["result"]["isError"]),
        (200, &json!(false)),
        "{body}"
    );

    let (status, body) = reply(post(get_tasks(5).to_string()).await.unwrap()).await;
    assert_eq!((status, &body["id"]), (200, &json!(5)), "{body}");
    let tasks: Value =
        serde_json::from_str(body["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(tasks.as_array().map(Vec::len), Some(1));

    // Only /mcp is served.
    let elsewhere = http
        .get(server.url().replace("/mcp", "/other"))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status().as_u16(), 404);
    server.shutdown().await.unwrap();
}

/// Set when a `nap` call is dropped before it ends.
static NAP_STOPPED: AtomicBool = AtomicBool::new(false);

struct StopFlag;

impl Drop for StopFlag {
    fn drop(&mut self) {
        NAP_STOPPED.store(true, Ordering::SeqCst);
    }
}

/// Rest for a minute.
#[tool_runtime::tool(read_only)]
async fn nap() -> &'static str {
    let _flag = StopFlag;
    tokio::time::sleep(Duration::from_secs(60)).await;
    std::mem::forget(_flag);
    "rested"
}

#[tokio::test]
async fn a_cancelled_call_stops_its_tool() {
    let mut registry = tool_runtime::ToolRegistry::new();
    registry.register(Nap).unwrap();
    let (mut raw, _) = Raw::start(McpServer::new(registry)).await;
    raw.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                     "params": {"name": "nap", "arguments": {}}}))
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    raw.send(
        &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                     "params": {"requestId": 1, "reason": "the user gave up"}}),
    )
    .await;
    raw.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        .await;
    // The cancelled call's answer (which the client ignores) may come first.
    let listed = loop {
        let reply = raw.reply().await;
        if reply["id"] == 2 {
            break reply;
        }
        assert_eq!(
            (&reply["id"], &reply["error"]["code"]),
            (&json!(1), &json!(-32800))
        );
    };
    assert_eq!(listed["result"]["tools"][0]["name"], "nap");
    let started = std::time::Instant::now();
    while !NAP_STOPPED.load(Ordering::SeqCst) {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the nap goes on"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

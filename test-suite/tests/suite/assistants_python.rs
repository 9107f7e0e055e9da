//! The Assistants server as a client nobody here wrote sees it: the official `openai`
//! Python package (pinned in `tests/assistants-client/requirements.txt`, installed into a
//! virtual environment under the target folder on first use) runs
//! `tests/assistants-client/client.py`, programs written for OpenAI's Assistants API, against
//! the server started by each test on 127.0.0.1, whose upstream model is a scripted
//! OpenAI-compatible HTTP server on loopback (`support/model_server.rs`).
//!
//! Needs Python 3 with `venv`; without `python3` on the PATH the tests say so on stderr
//! and pass without running.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use tool_runtime::openai::OpenAiClient;
use tool_runtime::server::{AssistantsServer, ServerHandle, SqliteStore};
use tool_runtime::transport::ClientConfig;
use tool_runtime::ToolRegistry;

use crate::support::model_server::{self, Reply, Running};
use crate::support::programs;

const CLIENT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/assistants-client");
const KEY: &str = "test-key";

/// The virtual environment's Python, once per test binary; `None` without Python. The
/// environment is named by the requirements' text, so a changed pin makes a new one.
fn python() -> Option<&'static Path> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let requirements = Path::new(CLIENT_DIR).join("requirements.txt");
            let pins = std::fs::read_to_string(&requirements).expect("the requirements file");
            // DefaultHasher::new has fixed keys: the same text gives the same name.
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&pins, &mut hasher);
            let key = format!("assistants-{:016x}", std::hash::Hasher::finish(&hasher));
            let requirements = requirements.to_str().expect("a UTF-8 path");
            programs::venv(
                &key,
                &["-r", requirements],
                "assistants_python",
                "to test the Assistants server with the official openai package",
            )
        })
        .as_deref()
}

/// Runs `client.py SCENARIO` against `base_url` and returns what it printed.
async fn client(python: &Path, scenario: &str, base_url: &str) -> Value {
    client_with(python, scenario, base_url, &[]).await
}

/// The same, with more arguments.
async fn client_with(python: &Path, scenario: &str, base_url: &str, more: &[&str]) -> Value {
    let mut command = Command::new(python);
    command
        .arg("client.py")
        .args([scenario, base_url, KEY])
        .args(more)
        .current_dir(CLIENT_DIR)
        .stdin(Stdio::null());
    let output = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::task::spawn_blocking(move || command.output()),
    )
    .await
    .expect("the client finishes within two minutes")
    .expect("the client's thread")
    .expect("the client runs");
    assert!(
        output.status.success(),
        "client.py {scenario} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "client.py printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The scripted upstream and the server in front of it.
async fn serve(replies: Vec<Reply>, registry: ToolRegistry) -> (Running, ServerHandle) {
    serve_with(replies, registry, |server| server).await
}

/// The same, with the server configured by `configure`.
async fn serve_with(
    replies: Vec<Reply>,
    registry: ToolRegistry,
    configure: impl FnOnce(AssistantsServer) -> AssistantsServer,
) -> (Running, ServerHandle) {
    let upstream = model_server::serve("/v1/chat/completions", replies).await;
    let model = OpenAiClient::new(
        ClientConfig::new(format!("{}/v1", upstream.base_url), "upstream-model")
            .with_timeout(Duration::from_secs(5))
            .with_retries(0),
    );
    let server = AssistantsServer::new(model, SqliteStore::in_memory().expect("sqlite"), KEY)
        .with_registry(registry);
    let server = configure(server)
        .serve("127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("the server starts");
    (upstream, server)
}

pub(crate) fn data(chunk: Value) -> String {
    format!("data: {chunk}\n\n")
}

/// A piece of a streamed tool call: its index, its id and name on the first piece, and a
/// piece of its arguments.
type CallPiece<'a> = (usize, Option<(&'a str, &'a str)>, &'a str);

fn calls(pieces: &[CallPiece<'_>]) -> Vec<String> {
    pieces
        .iter()
        .map(|(index, head, arguments)| {
            let mut call = json!({"index": index, "function": {"arguments": arguments}});
            if let Some((id, name)) = head {
                call["id"] = json!(id);
                call["type"] = json!("function");
                call["function"]["name"] = json!(name);
            }
            data(json!({"choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": null}]}))
        })
        .collect()
}

fn finish(reason: &str, prompt: u64, completion: u64) -> Vec<String> {
    vec![
        data(json!({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]})),
        data(
            json!({"choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}}),
        ),
        "data: [DONE]\n\n".to_owned(),
    ]
}

/// The model calls both weather functions at once, the second's arguments arriving
/// after the first's. The second call's id is bare, as llama.cpp's server writes ids: the
/// client sees it as `call_nickname`, and the thread goes back upstream with that id.
fn weather_calls() -> Reply {
    let mut events = calls(&[
        (0, Some(("call_weather", "getCurrentWeather")), ""),
        (0, None, r#"{"location": "San Francisco, CA","#),
        (0, None, r#" "unit": "f"}"#),
        (1, Some(("nickname", "getNickname")), ""),
        (1, None, r#"{"location": "San Francisco, CA"}"#),
    ]);
    events.extend(finish("tool_calls", 40, 20));
    Reply::sse(events)
}

fn text(pieces: &[&str]) -> Reply {
    let mut events: Vec<String> = pieces
        .iter()
        .map(|piece| data(json!({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]})))
        .collect();
    events.extend(finish("stop", 70, 12));
    Reply::sse(events)
}

const ANSWER: [&str; 2] = ["It is 72°F in San Francisco, CA", " (The Golden City)."];

#[tokio::test(flavor = "multi_thread")]
async fn the_weather_notebook_polls_submits_and_reads_the_answer() {
    let Some(python) = python() else { return };
    let (upstream, server) = serve(vec![weather_calls(), text(&ANSWER)], ToolRegistry::new()).await;
    let seen = client(python, "weather", &server.url()).await;

    let ids = seen["ids"].as_array().expect("ids");
    for (id, prefix) in ids.iter().zip(["asst_", "thread_", "run_"]) {
        assert!(
            id.as_str().is_some_and(|id| id.starts_with(prefix)),
            "{id} starts with {prefix}"
        );
    }
    assert_eq!(seen["created"], "queued");
    let statuses: Vec<&str> = seen["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(statuses.contains(&"requires_action"), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&"completed"), "{statuses:?}");
    assert_eq!(
        seen["calls"],
        json!([
            ["call_weather", "function", "getCurrentWeather", {"location": "San Francisco, CA", "unit": "f"}],
            ["call_nickname", "function", "getNickname", {"location": "San Francisco, CA"}],
        ])
    );
    assert_eq!(
        seen["messages"],
        json!([
            [
                "assistant",
                "It is 72°F in San Francisco, CA (The Golden City)."
            ],
            [
                "user",
                "What's the weather in San Francisco today and the likelihood it'll rain?"
            ],
        ])
    );
    assert_eq!(
        seen["usage"],
        json!({"prompt_tokens": 110, "completion_tokens": 32, "total_tokens": 142})
    );
    assert_eq!(seen["model"], "gpt-4-1106-preview");
    assert_eq!(
        seen["steps"],
        json!([
            [
                "tool_calls",
                "completed",
                [
                    "getCurrentWeather",
                    r#"{"location": "San Francisco, CA", "temperature": "72", "unit": "f"}"#
                ],
                ["getNickname", "The Golden City"]
            ],
            ["message_creation", "completed"],
        ])
    );

    // Upstream: the instructions, the question, then the calls and the submitted outputs.
    let bodies = upstream.bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(
        bodies[0]["messages"][0],
        json!({"role": "system", "content": "You are a weather bot. Use the provided functions to answer questions."})
    );
    let names: Vec<&str> = bodies[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert_eq!(names, ["getCurrentWeather", "getNickname"]);
    let tail = &bodies[1]["messages"].as_array().unwrap()[2..];
    assert_eq!(
        tail[1],
        json!({"role": "tool", "tool_call_id": "call_weather", "content": r#"{"location": "San Francisco, CA", "temperature": "72", "unit": "f"}"#})
    );
    assert_eq!(
        tail[2],
        json!({"role": "tool", "tool_call_id": "call_nickname", "content": "The Golden City"})
    );
    server.shutdown().await.expect("the server stops");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_and_poll_then_submit_tool_outputs_and_poll() {
    let Some(python) = python() else { return };
    let (_upstream, server) =
        serve(vec![weather_calls(), text(&ANSWER)], ToolRegistry::new()).await;
    let seen = client(python, "weather_poll", &server.url()).await;
    assert_eq!(
        seen,
        json!({
            "first": "requires_action",
            "last": "completed",
            "messages": [
                ["assistant", "It is 72°F in San Francisco, CA (The Golden City)."],
                ["user", "Weather in San Francisco?"],
            ],
        })
    );
    server.shutdown().await.expect("the server stops");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_streaming_event_handler_sees_the_reference_order() {
    let Some(python) = python() else { return };
    let (_upstream, server) =
        serve(vec![weather_calls(), text(&ANSWER)], ToolRegistry::new()).await;
    let seen = client(python, "stream", &server.url()).await;
    let event = |name: &str| json!(["event", name]);
    let weather_arguments = r#"{"location": "San Francisco, CA", "unit": "f"}"#;
    let nickname_arguments = r#"{"location": "San Francisco, CA"}"#;
    let expected = json!([
        event("thread.run.created"),
        event("thread.run.queued"),
        event("thread.run.in_progress"),
        event("thread.run.step.created"),
        event("thread.run.step.in_progress"),
        // One call after another: the first delta names it, the next carry its arguments.
        event("thread.run.step.delta"),
        ["tool_call_created", "call_weather", "getCurrentWeather", ""],
        event("thread.run.step.delta"),
        ["tool_call_delta", 0, r#"{"location": "San Francisco, CA","#],
        event("thread.run.step.delta"),
        ["tool_call_delta", 0, r#" "unit": "f"}"#],
        event("thread.run.step.delta"),
        ["tool_call_done", "getCurrentWeather", weather_arguments],
        ["tool_call_created", "call_nickname", "getNickname", ""],
        event("thread.run.step.delta"),
        ["tool_call_delta", 1, nickname_arguments],
        // The handler answers with submit_tool_outputs_stream: the nested stream's events.
        event("thread.run.requires_action"),
        event("thread.run.queued"),
        event("thread.run.step.completed"),
        event("thread.run.in_progress"),
        event("thread.run.step.created"),
        event("thread.run.step.in_progress"),
        event("thread.message.created"),
        event("thread.message.in_progress"),
        event("thread.message.delta"),
        ["text_delta", ANSWER[0]],
        event("thread.message.delta"),
        ["text_delta", ANSWER[1]],
        event("thread.message.completed"),
        ["message_done", ANSWER.concat()],
        event("thread.run.step.completed"),
        event("thread.run.completed"),
        // Back in the first stream, which ended after requires_action.
        ["tool_call_done", "getNickname", nickname_arguments],
    ]);
    assert_eq!(seen["log"], expected, "{:#}", seen["log"]);
    assert_eq!(seen["status"], "completed");
    assert_eq!(
        seen["messages"],
        json!([
            ["assistant", ANSWER.concat()],
            ["user", "Weather in San Francisco?"]
        ])
    );
    server.shutdown().await.expect("the server stops");
}

/// A reply that never comes: headers, then silence (until the client gives up).
fn hang() -> Reply {
    Reply::Stream(vec![model_server::Piece::Wait(std::sync::Arc::new(
        tokio::sync::Notify::new(),
    ))])
}

fn call(id: &str, name: &str, arguments: &str) -> Reply {
    let mut events = calls(&[(0, Some((id, name)), arguments)]);
    events.extend(finish("tool_calls", 10, 5));
    Reply::sse(events)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_callback_flow_of_one_function_with_the_runs_options_and_its_steps() {
    let Some(python) = python() else { return };
    let replies = vec![
        call(
            "call_fetch",
            "fetch_url",
            r#"{"url": "https://example.com"}"#,
        ),
        text(&["The page says: Example Domain."]),
    ];
    let (upstream, server) = serve(replies, ToolRegistry::new()).await;
    let mut seen = client(python, "callback", &server.url()).await;
    server.shutdown().await.expect("the server stops");
    let page = "Example Domain. This domain is for use in illustrative examples.";
    let message_id = seen["steps"][1][2].take();
    assert!(message_id.as_str().is_some_and(|id| id.starts_with("msg_")));
    assert_eq!(
        seen,
        json!({
            "waiting": "requires_action",
            "status": "completed",
            "call": ["fetch_url", {"url": "https://example.com"}],
            "options": [0.2, 300, {"type": "function", "function": {"name": "fetch_url"}}, false, {"user": "ada"}],
            "instructions": "Summarize web pages.\n\nQuote the page.",
            "steps": [
                ["tool_calls", "completed", ["call_fetch", "fetch_url", r#"{"url": "https://example.com"}"#, page]],
                ["message_creation", "completed", null],
            ],
            "retrieved": true,
            "newest": ["message_creation", true],
            "message": [true, "assistant", "The page says: Example Domain.", true, true],
            "by_run": 1,
            "metadata": {"user": "ada", "seen": "yes"},
        })
    );
    // The run's options reach the upstream; a forced tool choice holds for one request.
    let bodies = upstream.bodies();
    let options = |body: &Value| {
        json!([
            body["temperature"],
            body["max_tokens"],
            body["tool_choice"],
            body["parallel_tool_calls"]
        ])
    };
    assert_eq!(
        options(&bodies[0]),
        json!([0.2, 300, {"type": "function", "function": {"name": "fetch_url"}}, false])
    );
    assert_eq!(options(&bodies[1]), json!([0.2, 300, "auto", false]));
    assert_eq!(
        bodies[0]["messages"][0],
        json!({"role": "system", "content": "Summarize web pages.\n\nQuote the page."})
    );
    assert_eq!(
        bodies[1]["messages"][3],
        json!({"role": "tool", "tool_call_id": "call_fetch", "content": page})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_a_working_run_and_a_waiting_one() {
    let Some(python) = python() else { return };
    let (_upstream, server) = serve(vec![hang(), weather_calls()], ToolRegistry::new()).await;
    let seen = client(python, "cancel", &server.url()).await;
    server.shutdown().await.expect("the server stops");
    let cut = "the run was cancelled before this call finished";
    assert_eq!(
        seen,
        json!({
            "first": "cancelling",
            "final": "cancelled",
            "cancelled_at": true,
            "waiting": "requires_action",
            "second": ["cancelled", null],
            "refused": [400, {
                "message": "Cannot cancel run with status 'cancelled'.",
                "type": "invalid_request_error", "param": null, "code": null,
            }],
            "steps": [["tool_calls", "cancelled", [cut, cut]]],
            "messages": [["user", "Weather in San Francisco?"]],
        })
    );
}

fn planner_registry() -> (std::sync::Arc<examples::tasks::Store>, ToolRegistry) {
    let store = std::sync::Arc::new(examples::tasks::Store::in_memory().expect("the tasks"));
    let mut registry = ToolRegistry::new();
    registry
        .register_all(store.clone())
        .expect("the planner's tools");
    (store, registry)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_that_hits_the_turn_limit_ends_incomplete() {
    let Some(python) = python() else { return };
    let (_tasks, registry) = planner_registry();
    let replies = vec![
        call("call_1", "get_tasks", "{}"),
        call("call_2", "get_tasks", "{}"),
    ];
    let (_upstream, server) =
        serve_with(replies, registry, |server| server.with_max_turns(2)).await;
    let seen = client(python, "turn_limit", &server.url()).await;
    server.shutdown().await.expect("the server stops");
    let step = json!(["tool_calls", "completed", [["get_tasks", "[]"]]]);
    assert_eq!(
        seen,
        json!({
            "status": "incomplete",
            "incomplete_details": {"reason": "max_turns"},
            "steps": [step, step],
        })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upstream_failure_fails_the_run_and_keeps_the_thread() {
    let Some(python) = python() else { return };
    let down = Reply::status(
        500,
        json!({"error": {"message": "the upstream model is down"}}),
    );
    let (_upstream, server) = serve(vec![down, text(&["Hello again."])], ToolRegistry::new()).await;
    let seen = client(python, "failure", &server.url()).await;
    server.shutdown().await.expect("the server stops");
    assert_eq!(
        seen,
        json!({
            "status": "failed",
            "last_error": {
                "code": "server_error",
                "message": "the model's endpoint answered 500: the upstream model is down",
            },
            "failed_at": true,
            "again": "completed",
            "messages": [["assistant", "Hello again."], ["user", "Hello?"]],
        })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_the_reference_errors_and_change_nothing() {
    let Some(python) = python() else { return };
    let (_tasks, registry) = planner_registry();
    let (_upstream, server) = serve(vec![weather_calls()], registry).await;
    let seen = client(python, "bad_requests", &server.url()).await;
    server.shutdown().await.expect("the server stops");
    let log: Vec<Value> = seen["log"]
        .as_array()
        .expect("a log")
        .iter()
        .map(|entry| serde_json::from_str(&scrub(&entry.to_string())).expect("JSON"))
        .collect();
    let invalid = |label: &str, message: &str, param: Value| {
        json!([label, 400, message, param, null, "invalid_request_error"])
    };
    let tools = "add_task, update_task, complete_task, remove_task, get_tasks, delete_all_tasks";
    assert_eq!(
        log,
        [
            json!(["unknown assistant", 404, "No assistant found with id 'asst_missing'.", null, null, "invalid_request_error"]),
            json!(["wrong key", 401, "Incorrect API key provided. The server expects the key it was started with.", null, "invalid_api_key", "invalid_request_error"]),
            invalid("model of the wrong type", "Invalid value for 'model': invalid type: integer `42`, expected a string at line 1 column 11", json!("model")),
            invalid("a hosted tool", "The hosted tool 'code_interpreter' is not available on this server: it runs function tools only (declared by the client, or the server's own, enabled by the assistant's metadata key 'server_tools').", json!("tools[0].type")),
            invalid("an unknown server tool", &format!("The server has no tool 'launch_rockets'; it has: {tools}."), json!("metadata.server_tools")),
            invalid("a limit over 100", "Invalid 'limit': '1000'; expected an integer from 1 to 100.", json!("limit")),
            json!(["unknown thread", 404, "No thread found with id 'thread_missing'.", null, null, "invalid_request_error"]),
            json!(["unknown run", 404, "No run found with id 'run_missing'.", null, null, "invalid_request_error"]),
            invalid("a second active run", "Thread thread_ID already has an active run run_ID.", Value::Null),
            invalid("a message during a run", "Can't add messages to thread_ID while a run run_ID is active.", Value::Null),
            invalid("an output for an unknown call", "No tool call 'call_unknown' is waiting for an output in run run_ID.", json!("tool_outputs[0].tool_call_id")),
            invalid("a missing output", "Tool outputs are missing for: call_nickname.", json!("tool_outputs")),
            // The refused submissions changed nothing.
            json!(["still waiting", "requires_action", 2]),
            invalid("a submit to a run not waiting", "Runs in status \"cancelled\" do not accept tool outputs.", Value::Null),
        ]
    );
}

/// `text` with the hex part of every `thread_`, `run_` and `msg_` id written `ID`.
fn scrub(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = ["thread_", "run_", "msg_"]
        .iter()
        .filter_map(|prefix| rest.find(prefix).map(|at| (at, prefix.len())))
        .min()
    {
        let (at, length) = at;
        let after = &rest[at + length..];
        let hex = after.chars().take_while(char::is_ascii_hexdigit).count();
        out.push_str(&rest[..at + length]);
        if hex >= 16 {
            out.push_str("ID");
            rest = &after[hex..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_task_planners_tools_run_on_the_server_and_deleting_waits_for_approval() {
    let Some(python) = python() else { return };
    let (tasks, registry) = planner_registry();
    let replies = vec![
        call(
            "call_add",
            "add_task",
            r#"{"name": "buy bread", "priority": 1}"#,
        ),
        call("call_clear", "delete_all_tasks", "{}"),
        text(&["I kept your list."]),
        call("call_clear_2", "delete_all_tasks", "{}"),
        text(&["Your list is empty."]),
    ];
    let (upstream, server) = serve(replies, registry).await;
    let mut refused = client(python, "planner_refuse", &server.url()).await;
    // add_task ran on the server and wrote its row; the refusal left it there.
    let rows = tasks.list(true).expect("the tasks");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].id.as_str(), rows[0].name.as_str()),
        ("t-1", "buy bread")
    );
    let added: Value = serde_json::from_str(
        refused["steps"][0][1][1]
            .take()
            .as_str()
            .expect("add_task's output"),
    )
    .expect("a task");
    assert_eq!(
        (&added["id"], &added["name"], &added["priority"]),
        (&json!("t-1"), &json!("buy bread"), &json!(1))
    );
    let waiting = json!(["requires_action", [["delete_all_tasks", "{}"]]]);
    let question = json!(["user", "Add: buy bread. Then clear my list."]);
    assert_eq!(
        refused,
        json!({
            "waiting": waiting,
            "status": "completed",
            "steps": [
                ["tool_calls", ["add_task", null]],
                ["tool_calls", ["delete_all_tasks", "No, keep my list."]],
                ["message_creation"],
            ],
            "messages": [["assistant", "I kept your list."], question],
        })
    );
    // The model read the refusal as the call's output.
    assert_eq!(
        upstream.bodies()[2]["messages"][5],
        json!({"role": "tool", "tool_call_id": "call_clear", "content": "No, keep my list."})
    );

    let approved = client(python, "planner_approve", &server.url()).await;
    assert_eq!(
        approved,
        json!({
            "waiting": waiting,
            "status": "completed",
            "steps": [["tool_calls", ["delete_all_tasks", "deleted 1 task"]], ["message_creation"]],
            "messages": [["assistant", "Your list is empty."], question],
        })
    );
    assert_eq!(tasks.list(true).expect("the tasks").len(), 0);
    server.shutdown().await.expect("the server stops");
}

/// The example's executable, built by cargo with this test's profile.
fn server_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| programs::example_binary("assistants_server"))
        .clone()
}

/// The example server as a process of its own; killed (SIGKILL: no goodbye) when dropped.
struct Process {
    child: std::process::Child,
    base_url: String,
}

impl Process {
    fn start(db: &Path, upstream: &Running) -> Self {
        use std::io::BufRead as _;
        let mut child = Command::new(server_binary())
            .args([
                "--addr",
                "127.0.0.1:0",
                "--api-key",
                KEY,
                "--tasks-db",
                ":memory:",
                "--db",
            ])
            .arg(db)
            .env("OPENAI_BASE_URL", format!("{}/v1", upstream.base_url))
            .env("OPENAI_MODEL", "upstream-model")
            .env("OPENAI_API_KEY", "upstream-key")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stderr = child.stderr.take().expect("its stderr");
        let mut lines = std::io::BufReader::new(stderr).lines();
        let mut log = Vec::new();
        let base_url = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("the server stopped before serving:\n{}", log.join("\n")))
                .expect("a line");
            if let Some(at) = line.find("http://") {
                let url = line[at..]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                log.push(line);
                break url;
            }
            log.push(line);
        };
        // The rest of its log is read and dropped, so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, base_url }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_keeps_the_conversation_and_fails_the_run_it_cut_short() {
    let Some(python) = python() else { return };
    let upstream = model_server::serve(
        "/v1/chat/completions",
        [weather_calls(), hang(), text(&ANSWER)],
    )
    .await;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("assistants-restart");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a folder");
    let db = dir.join("assistants.db");

    let first = tokio::task::block_in_place(|| Process::start(&db, &upstream));
    let before = client(python, "restart_begin", &first.base_url).await;
    assert_eq!(before["waiting"][2], "requires_action");
    drop(first); // killed mid-run: one run waits for outputs, the other was asking the model

    let second = tokio::task::block_in_place(|| Process::start(&db, &upstream));
    let after = client_with(
        python,
        "restart_end",
        &second.base_url,
        &[&before.to_string()],
    )
    .await;
    assert_eq!(
        after,
        json!({
            "assistant": "Weather Bot",
            "busy": ["failed", {
                "code": "server_error",
                "message": "The server stopped while this run was in progress; it was not resumed.",
            }],
            "busy_messages": [["user", "And in Paris?"]],
            "waiting": ["requires_action", true],
            "final": "completed",
            "messages": [["assistant", ANSWER.concat()], ["user", "Weather in San Francisco?"]],
        })
    );
    // The resumed run's request carried the outputs submitted after the restart.
    let bodies = upstream.bodies();
    assert_eq!(bodies.len(), 3);
    assert_eq!(bodies[2]["messages"][4]["content"], "The Golden City");
}

#[tokio::test(flavor = "multi_thread")]
async fn outputs_after_expires_at_find_the_run_expired() {
    let Some(python) = python() else { return };
    let (_upstream, server) = serve_with(vec![weather_calls()], ToolRegistry::new(), |server| {
        server.with_run_timeout(Duration::from_secs(1))
    })
    .await;
    let seen = client(python, "expire", &server.url()).await;
    server.shutdown().await.expect("the server stops");
    assert_eq!(
        seen,
        json!({
            "waiting": ["requires_action", 1],
            "later": ["expired", null],
            "log": [["outputs too late", 400, "Runs in status \"expired\" do not accept tool outputs.", null, null, "invalid_request_error"]],
            "steps": [["tool_calls", "expired", true]],
        })
    );
}

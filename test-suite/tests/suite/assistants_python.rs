//! The Assistants server as a client nobody here wrote sees it: the official `openai`
//! Python package (pinned in `tests/assistants-client/requirements.txt`, installed into a
//! virtual environment under the target folder on first use) runs
//! `tests/assistants-client/client.py`, programs written for OpenAI's Assistants API, against
//! the server started by each test on 127.0.0.1, whose upstream model is a scripted
//! OpenAI-compatible HTTP server on loopback (`support/model_server.rs`).
//!
//! Needs Python 3 with `venv`; without `python3` on the PATH the tests say so on stderr
//! and pass without running.

use std::io::Write as _;
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

const CLIENT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/assistants-client");
const KEY: &str = "test-key";

/// The virtual environment's Python, once per test binary; `None` without Python.
fn python() -> Option<&'static Path> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            if Command::new("python3").arg("--version").output().is_err() {
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED assistants_python: `python3` is not on the PATH; install Python 3 \
                     (with venv) to test the Assistants server with the official openai package"
                );
                return None;
            }
            Some(install_sdk())
        })
        .as_deref()
}

/// A venv under the target folder with the pinned requirements, made once; remade when
/// the requirements change.
fn install_sdk() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("assistants-venv");
    let python = venv.join("bin/python");
    let requirements = Path::new(CLIENT_DIR).join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).expect("the requirements file");
    let stamp = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return python;
    }
    let run = |command: &mut Command, what: &str| {
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("{what} could not start: {e}"));
        assert!(
            output.status.success(),
            "{what} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(
        Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
        "python3 -m venv",
    );
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements),
        "pip install -r tests/assistants-client/requirements.txt",
    );
    std::fs::write(&stamp, wanted).expect("the stamp is written");
    python
}

/// Runs `client.py SCENARIO` against `base_url` and returns what it printed.
async fn client(python: &Path, scenario: &str, base_url: &str) -> Value {
    let mut command = Command::new(python);
    command
        .arg("client.py")
        .args([scenario, base_url, KEY])
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
    let upstream = model_server::serve("/v1/chat/completions", replies).await;
    let model = OpenAiClient::new(
        ClientConfig::new(format!("{}/v1", upstream.base_url), "upstream-model")
            .with_timeout(Duration::from_secs(5))
            .with_retries(0),
    );
    let server = AssistantsServer::new(model, SqliteStore::in_memory().expect("sqlite"), KEY)
        .with_registry(registry)
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
/// after the first's.
fn weather_calls() -> Reply {
    let mut events = calls(&[
        (0, Some(("call_weather", "getCurrentWeather")), ""),
        (0, None, r#"{"location": "San Francisco, CA","#),
        (0, None, r#" "unit": "f"}"#),
        (1, Some(("call_nickname", "getNickname")), ""),
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

//! The assistant loop against a real model: Qwen2.5-Coder-0.5B-Instruct behind llama.cpp's
//! `llama-server`, set up and started by `scripts/local-model.sh` (the first run builds the
//! server and assembles the model into a cache outside the repository, about 7 minutes;
//! later runs reuse it). A scripted server proves the wire format; only a real model
//! proves the loop.
//!
//! A 0.5B model is not a reliable reasoner, so these tests assert what it reliably does: a
//! call of the right tool with a sensible argument, and a run that completes with an answer
//! that uses the tool's output. Set `TOOL_RUNTIME_SKIP_LOCAL_MODEL=1` to skip them (they say
//! so, and pass).

use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tool_runtime::chat::{Message, RequestOptions};
use tool_runtime::openai::OpenAiClient;
use tool_runtime::run::{Assistant, RunOptions, RunStatus, RunStep, Thread};
use tool_runtime::transport::ClientConfig;
use tool_runtime::ToolRegistry;

use examples::weather;

use examples::tasks;

/// The tests' own port, so a server a person started for the examples is left alone.
const PORT: &str = "18090";

/// One server for the whole file, started once; `None` when skipped.
fn model() -> Option<Arc<OpenAiClient>> {
    static MODEL: OnceLock<Option<Arc<OpenAiClient>>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            if std::env::var_os("TOOL_RUNTIME_SKIP_LOCAL_MODEL").is_some() {
                eprintln!("TOOL_RUNTIME_SKIP_LOCAL_MODEL is set: skipping the tests against the local model");
                return None;
            }
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/local-model.sh");
            let output = Command::new("bash").arg(script).arg("start").arg(PORT).output().expect("bash runs");
            assert!(
                output.status.success(),
                "scripts/local-model.sh start {PORT} failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let config = ClientConfig::new(format!("http://127.0.0.1:{PORT}/v1"), "qwen2.5-coder-0.5b")
                .with_timeout(Duration::from_secs(180))
                .with_retries(1);
            let client = OpenAiClient::new(config);
            Some(Arc::new(client))
        })
        .clone()
}

/// The server serves one request at a time: the tests take turns.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn options() -> RunOptions {
    // Small replies, and room for a model that calls the tool once more than needed.
    RunOptions::default()
        .with_max_turns(4)
        .with_request(RequestOptions::default().with_max_tokens(200))
}

#[tokio::test]
async fn the_weather_question_calls_the_tool_and_the_answer_uses_its_output() {
    let Some(model) = model() else { return };
    let _turn = TURN.lock().await;
    let assistant =
        Assistant::from_shared(model, Arc::new(weather::registry())).with_options(options());
    let thread = Thread::from(vec![Message::user(
        "What's the weather like in Tokyo right now, in celsius?",
    )]);
    let run = assistant.run(thread).await;

    let calls: Vec<_> = run
        .steps()
        .iter()
        .filter_map(|step| match step {
            RunStep::ToolCalls { calls, outputs } => {
                Some(calls.iter().zip(outputs).collect::<Vec<_>>())
            }
            _ => None,
        })
        .flatten()
        .collect();
    let (call, output) = calls
        .first()
        .unwrap_or_else(|| panic!("no tool call: {:#?}", run.thread()));
    assert_eq!(call.name, "get_current_weather");
    assert!(
        call.arguments.to_lowercase().contains("tokyo"),
        "arguments: {}",
        call.arguments
    );
    assert!(!output.is_error, "the call failed: {}", output.content);
    assert!(
        output.content.contains(r#""temperature":10"#),
        "{}",
        output.content
    );

    assert_eq!(
        run.status(),
        RunStatus::Completed,
        "{:?} {:#?}",
        run.last_error(),
        run.thread()
    );
    let answer = run.answer().unwrap_or_default();
    assert!(
        answer.contains("10"),
        "the answer does not use the tool's output: {answer}"
    );
}

#[tokio::test]
async fn a_task_request_becomes_a_row_in_sqlite() {
    let Some(model) = model() else { return };
    let _turn = TURN.lock().await;
    let path = std::env::temp_dir().join(format!("local-model-tasks-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let store = tasks::Store::open(&path).expect("a database");
    let assistant = tasks::assistant(model, &store).expect("the planner's assistant");
    let thread = Thread::from(vec![Message::user("Add a task to my list: buy bread.")]);
    let run = assistant.run(thread).await;

    let rows = store.list(true).expect("the tasks");
    let _ = std::fs::remove_file(&path);
    assert!(
        rows.iter()
            .any(|task| task.name.to_lowercase().contains("bread")),
        "no bread task; rows: {rows:?}; run: {:?} {:#?}",
        run.status(),
        run.thread()
    );
    assert_ne!(run.status(), RunStatus::Failed, "{:?}", run.last_error());
}

/// The weather question through the Assistants server, as a client of the API sees it: the
/// run waits for the client's output, and the answer uses it.
#[tokio::test(flavor = "multi_thread")]
async fn the_weather_question_through_the_assistants_server_uses_the_submitted_output() {
    use serde_json::{json, Value};
    use tool_runtime::server::{AssistantsServer, SqliteStore};

    let Some(model) = model() else { return };
    let _turn = TURN.lock().await;
    let server = AssistantsServer::from_shared(
        model,
        Arc::new(SqliteStore::in_memory().expect("sqlite")),
        "key",
    )
    .with_max_turns(4)
    .serve("127.0.0.1:0".parse().expect("an address"))
    .await
    .expect("the server starts");
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut request = http
            .request(method, format!("{}{path}", server.url()))
            .bearer_auth("key");
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.expect("an answer");
            let status = response.status();
            let body: Value = response.json().await.expect("JSON");
            assert!(status.is_success(), "{status}: {body}");
            body
        }
    };
    let assistant = call(
        reqwest::Method::POST,
        "/assistants".into(),
        Some(json!({
            "model": "gpt-4-1106-preview",
            "instructions": "Answer with the weather tool's data.",
            "tools": [{"type": "function", "function": {
                "name": "get_current_weather",
                "description": "Get the current weather in a given location.",
                "parameters": {"type": "object", "properties": {
                    "location": {"type": "string", "description": "The city, e.g. Tokyo."},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                }, "required": ["location"]},
            }}],
        })),
    )
    .await;
    let run = call(reqwest::Method::POST, "/threads/runs".into(), Some(json!({
        "assistant_id": assistant["id"],
        "thread": {"messages": [{"role": "user", "content": "What's the weather like in Tokyo right now, in celsius?"}]},
        "max_completion_tokens": 200,
    }))).await;
    let path = format!(
        "/threads/{}/runs/{}",
        run["thread_id"].as_str().unwrap_or_default(),
        run["id"].as_str().unwrap_or_default()
    );
    let wait = |until: &'static [&'static str]| {
        let path = path.clone();
        let call = &call;
        async move {
            for _ in 0..1200 {
                let run = call(reqwest::Method::GET, path.clone(), None).await;
                if until.contains(&run["status"].as_str().unwrap_or_default()) {
                    return run;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            panic!("the run never reached {until:?}");
        }
    };
    let run = wait(&[
        "requires_action",
        "completed",
        "failed",
        "incomplete",
        "expired",
    ])
    .await;
    assert_eq!(run["status"], "requires_action", "{run}");
    let calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!calls.is_empty());
    assert_eq!(calls[0]["function"]["name"], "get_current_weather");
    let outputs: Vec<Value> = calls
        .iter()
        .map(|c| json!({"tool_call_id": c["id"], "output": r#"{"location":"Tokyo","temperature":17,"unit":"celsius"}"#}))
        .collect();
    call(
        reqwest::Method::POST,
        format!("{path}/submit_tool_outputs"),
        Some(json!({"tool_outputs": outputs})),
    )
    .await;
    let run = wait(&[
        "completed",
        "failed",
        "incomplete",
        "expired",
        "requires_action",
    ])
    .await;
    assert_eq!(run["status"], "completed", "{run}");
    let messages = call(
        reqwest::Method::GET,
        format!(
            "/threads/{}/messages",
            run["thread_id"].as_str().unwrap_or_default()
        ),
        None,
    )
    .await;
    let answer = messages["data"][0]["content"][0]["text"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(messages["data"][0]["role"], "assistant");
    assert!(
        answer.contains("17"),
        "the answer does not use the submitted output: {answer}"
    );
    server.shutdown().await.expect("the server stops");
}

#[test]
fn the_registry_offers_the_model_plain_schemas() {
    // What the client sends a local server: the plain form (optionals may be omitted).
    let client = OpenAiClient::new(ClientConfig::new(
        format!("http://127.0.0.1:{PORT}/v1"),
        "qwen2.5-coder-0.5b",
    ));
    assert_eq!(
        client.schema_form(),
        tool_runtime::format::SchemaForm::Plain
    );
    let registry: ToolRegistry = weather::registry();
    let plain = registry.export_with(
        tool_runtime::ToolFormat::OpenAiChat,
        tool_runtime::format::SchemaForm::Plain,
    );
    assert_eq!(
        plain[0]["function"]["parameters"]["required"],
        serde_json::json!(["location"])
    );
}

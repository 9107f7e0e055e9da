//! The assistant loop against a real model: Qwen2.5-Coder-0.5B-Instruct behind llama.cpp's
//! `llama-server`, set up and started by `scripts/local-model.sh` (the first run compiles
//! the server against llama.cpp's prebuilt libraries and assembles the model into a cache
//! outside the repository, about 3 minutes on 2 cores; later runs reuse it). A scripted server proves the wire format; only a real model
//! proves the loop.
//!
//! A 0.5B model is not a reliable reasoner, so these tests assert what it reliably does: a
//! call of the right tool with a sensible argument, and a run that completes with an answer
//! that uses the tool's output. Set `TOOL_RUNTIME_SKIP_LOCAL_MODEL=1` to skip them (they say
//! so, and pass).

#![cfg(unix)]

#[path = "support/local_server.rs"]
mod local_server;

use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tool_runtime::chat::{
    ChatModel, ChatRequest, Message, RequestOptions, ResponseBuilder, ResponseFormat, StreamExt,
};
use tool_runtime::eval::{Evaluator, Report, Suite};
use tool_runtime::openai::OpenAiClient;
use tool_runtime::run::{Assistant, RunOptions, RunStatus, RunStep, Thread};
use tool_runtime::testing::{Recorder, Recording, Replay};
use tool_runtime::transport::ClientConfig;
use tool_runtime::ToolRegistry;

use examples::weather;

use examples::tasks;

/// The tests' own port, so a server a person started for the examples is left alone.
const PORT: u16 = 18090;

/// Whether the tests against the model are skipped (they say so, and pass).
fn skipped() -> bool {
    let skip = std::env::var_os("TOOL_RUNTIME_SKIP_LOCAL_MODEL").is_some();
    if skip {
        eprintln!(
            "TOOL_RUNTIME_SKIP_LOCAL_MODEL is set: skipping the tests against the local model"
        );
    }
    skip
}

/// One server for the whole file, started once (and stopped when the tests end, if they
/// started it); `None` when skipped.
fn model() -> Option<Arc<OpenAiClient>> {
    static MODEL: OnceLock<Option<Arc<OpenAiClient>>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            if skipped() {
                return None;
            }
            local_server::start(PORT);
            let config =
                ClientConfig::new(format!("http://127.0.0.1:{PORT}/v1"), "qwen2.5-coder-0.5b")
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
    // Small replies, greedy decoding (whatever the server's default), and room for a
    // model that calls the tool once more than needed.
    RunOptions::default().with_max_turns(4).with_request(
        RequestOptions::default()
            .with_max_tokens(200)
            .with_temperature(0.0),
    )
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
async fn a_run_recorded_from_the_model_replays_the_same_without_it() {
    let Some(model) = model() else { return };
    let _turn = TURN.lock().await;
    let path = std::env::temp_dir().join(format!("local-model-run-{}.json", std::process::id()));
    let recorder = Arc::new(Recorder::from_shared(model).with_file(&path));
    let question = || {
        Thread::from(vec![Message::user(
            "What's the weather like in Tokyo right now, in celsius?",
        )])
    };
    let recorded = Assistant::from_shared(recorder.clone(), Arc::new(weather::registry()))
        .with_options(options())
        .run(question())
        .await;
    assert_eq!(recorder.write_error(), None);
    let recording = Recording::load(&path);
    let _ = std::fs::remove_file(&path);
    let recording = recording.expect("the recording loads");
    assert_eq!(recording, recorder.recording());
    assert!(
        recording.exchanges().len() >= 2,
        "a call, then an answer: {recording:#?}"
    );

    // Without the model: the same requests, so the same thread (call ids included),
    // steps and outcome.
    let replay = Arc::new(Replay::new(&recording));
    let replayed = Assistant::from_shared(replay.clone(), Arc::new(weather::registry()))
        .with_options(options())
        .run(question())
        .await;
    assert_eq!(replay.finish(), Ok(()));
    assert_eq!(replayed.status(), recorded.status());
    assert_eq!(replayed.thread(), recorded.thread());
    assert_eq!(replayed.steps(), recorded.steps());
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

#[tokio::test]
async fn a_response_format_makes_the_model_answer_in_its_schema() {
    /// A city.
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct City {
        /// The city's name.
        name: String,
        /// The country it is in.
        country: String,
    }
    let Some(model) = model() else { return };
    let _turn = TURN.lock().await;
    let thread = [Message::user("What is the capital of France?")];
    // llama.cpp's server takes each of these under these names: the schema becomes a
    // grammar, `seed` and `top_k` (an extra field of its own) are read too.
    let options = RequestOptions::default()
        .with_max_tokens(100)
        .with_temperature(0.0)
        .with_seed(7)
        .with_response_format(ResponseFormat::of::<City>("city"))
        .with_extra_field("top_k", 1);

    let reply = model
        .complete(ChatRequest::new(&thread).with_options(options))
        .await
        .expect("a reply");

    let text = reply.content.unwrap_or_default();
    let city: City = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("the reply does not follow the schema ({error}): {text}"));
    assert!(
        !city.name.trim().is_empty() && !city.country.trim().is_empty(),
        "{text}"
    );
}

/// A real server names its replies: llama.cpp's gives each an id (`chatcmpl-...`) and its
/// model, whole and streamed, and the client reads both (the loop's `chat` spans show
/// them as `gen_ai.response.id` and `gen_ai.response.model`).
#[tokio::test]
async fn the_real_server_names_its_replies_whole_and_streamed() {
    let Some(model) = model() else { return };
    let _turn = TURN.lock().await;
    let thread = [Message::user("Say hi.")];
    let options = RequestOptions::default()
        .with_max_tokens(8)
        .with_temperature(0.0);

    let whole = model
        .complete(ChatRequest::new(&thread).with_options(options.clone()))
        .await
        .expect("a reply");
    let mut builder = ResponseBuilder::default();
    let mut deltas = model.stream(ChatRequest::new(&thread).with_options(options));
    while let Some(delta) = deltas.next().await {
        builder.push(delta.expect("a delta"));
    }
    let streamed = builder.finish();

    for reply in [&whole, &streamed] {
        let id = reply.id.as_deref().unwrap_or_default();
        assert!(id.starts_with("chatcmpl-"), "{reply:?}");
        assert!(
            reply.model.as_deref().is_some_and(|name| !name.is_empty()),
            "{reply:?}"
        );
    }
    assert_ne!(whole.id, streamed.id, "each reply has an id of its own");
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

/// The project's weather eval suite (the `eval` example's) against the real model, each
/// case once: the report is whole and something was scored. How well a 0.5B model does is
/// the README's figure, not a test's bound.
#[tokio::test]
async fn the_weather_eval_suite_runs_against_the_model_and_scores_its_replies() {
    let Some(model) = model() else { return };
    let _turn = TURN.lock().await;
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/evals/weather.json");
    let suite = Suite::load(&path).expect("the project's suite loads");
    let registry = weather::registry();
    let report = Evaluator::new(&*model, &registry)
        .with_concurrency(1)
        .with_schema_form(model.schema_form())
        .with_request(examples::eval_cli::request_options())
        .with_timeout(Duration::from_secs(180))
        .with_label("local model")
        .run(&suite)
        .await
        .expect("the suite names the weather tools");

    let ids: Vec<&str> = report.cases.iter().map(|case| case.id.as_str()).collect();
    let expected: Vec<&str> = suite.cases().iter().map(|case| case.id()).collect();
    assert_eq!(ids, expected);
    assert!(report.cases.iter().all(|case| case.trials.len() == 1));
    assert_eq!(report.summary.runs, expected.len() as u64);
    // Something was scored: replies came, calls were made and judged.
    assert!(
        report.summary.errors < report.summary.runs,
        "{}",
        report.to_markdown()
    );
    assert!(
        report.summary.arguments_parse.total > 0,
        "{}",
        report.to_markdown()
    );
    assert!(report.summary.right_tool.total > 0 && report.summary.no_call.total > 0);
    assert!(
        report.summary.tokens.prompt_tokens > 0,
        "llama.cpp's server counts tokens"
    );
    assert_eq!(
        Report::from_json(&report.to_json()).expect("it loads back"),
        report
    );
    assert!(report
        .to_markdown()
        .starts_with("# Eval: weather (local model)\n"));
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

// ---------------------------------------------------------------------------------------
// Nothing these tests start outlives them: each test below runs this test binary again as
// a child process, which starts a server and panics; the server must then be stopped if
// the child started it, and left alone if it did not.

/// Set (to a port) in the child process the tests below run.
const CHILD: &str = "TOOL_RUNTIME_LOCAL_MODEL_CHILD_PORT";

/// Run only as the child of the tests below: starts the server on the port in `CHILD`,
/// prints its pid and whether it started it, and panics.
#[test]
#[ignore = "the child process of the tests that check the server is stopped"]
fn child_starts_the_server_and_panics() {
    let Some(port) = std::env::var(CHILD).ok().and_then(|port| port.parse().ok()) else {
        return;
    };
    let started = local_server::start(port);
    println!("CHILD pid={} ours={}", started.pid, started.ours);
    panic!("the child panics while its server runs");
}

/// Runs the child on `port`: it must panic after starting (or finding) the server, whose
/// pid and ownership it returns.
fn run_child(port: u16) -> (u32, bool) {
    let output = Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([
            "child_starts_the_server_and_panics",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD, port.to_string())
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("the child panics while its server runs"),
        "the child must panic:\n{stdout}\n{stderr}"
    );
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("CHILD "))
        .unwrap_or_else(|| panic!("the child started a server:\n{stdout}"));
    let pid = line
        .strip_prefix("pid=")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|pid| pid.parse().ok())
        .expect("the child prints the pid");
    (pid, line.ends_with("ours=true"))
}

/// Waits up to `limit` for `done`.
fn eventually(limit: Duration, done: impl Fn() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    done()
}

#[test]
fn a_server_a_test_started_is_stopped_when_its_process_ends_in_a_panic() {
    if skipped() {
        return;
    }
    const CHILD_PORT: u16 = 18091;
    // Not while a test asks the model: the servers share two cores.
    let _turn = TURN.blocking_lock();
    assert!(
        !local_server::is_listening(CHILD_PORT),
        "127.0.0.1:{CHILD_PORT} is in use: stop it (scripts/local-model.sh stop {CHILD_PORT})"
    );

    let (pid, ours) = run_child(CHILD_PORT);

    assert!(ours, "the child started the server");
    assert!(
        eventually(Duration::from_secs(30), || !local_server::is_alive(pid)
            && !local_server::is_listening(CHILD_PORT)),
        "llama-server (pid {pid}) still runs on {CHILD_PORT} after the child ended"
    );
}

#[test]
fn a_server_someone_else_started_is_left_running() {
    if skipped() {
        return;
    }
    const OTHER_PORT: u16 = 18092;
    let _turn = TURN.blocking_lock();
    // This process starts it (and so stops it when it ends, whatever happens below).
    let started = local_server::start(OTHER_PORT);
    assert!(started.ours, "127.0.0.1:{OTHER_PORT} was already in use");

    let (pid, ours) = run_child(OTHER_PORT);

    assert_eq!(
        (pid, ours),
        (started.pid, false),
        "the child found it running"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        local_server::is_alive(pid) && local_server::is_listening(OTHER_PORT),
        "the child stopped a server it had not started"
    );
    local_server::stop(OTHER_PORT);
    assert!(!local_server::is_alive(pid), "stopped");
}

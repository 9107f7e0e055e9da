//! Recorded runs (docs/recorded-runs.md). A conversation with the real local model,
//! recorded once with `task_planner chat --record` and committed under
//! `tests/recordings/`, replays through the planner's real tools on a SQLite file. The
//! recorder records the OpenAI client talking to a real HTTP server on 127.0.0.1 (streamed
//! and whole replies, errors, secrets), and the recordings replay as they were; a replay
//! that is asked something else, and a file cut short or damaged, say so.

use crate::support::city_tools;
use crate::support::model_server::{self, Piece, Reply, Running};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use tool_runtime::chat::{
    ChatDelta, ChatModel, ChatRequest, ChatResponse, FinishReason, Message, ModelError,
    RequestOptions, Usage,
};
use tool_runtime::openai::OpenAiClient;
use tool_runtime::run::{
    Assistant, Decision, Run, RunEvent, RunOptions, RunStatus, RunStep, Thread,
};
use tool_runtime::testing::{
    Recorder, Recording, RecordingError, Replay, ReplayError, ScriptedModel, ScriptedReply,
};
use tool_runtime::transport::ClientConfig;
use tool_runtime::{tool, ToolCall, ToolRegistry};

use examples::tasks::{self, Store};

/// The committed recording of the task planner with the local model.
const PLANNER_RECORDING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/recordings/task_planner.json"
);

/// A folder of its own in the temp dir, removed when the test ends (passing or not).
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new(test: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "replay-{test}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a temp folder");
        Self { path }
    }

    fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// The names of the files in it.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.path)
            .expect("the folder reads")
            .map(|entry| {
                entry
                    .expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Every `"created_at":"..."` value reads `<time>`: the store stamps tasks with the time
/// they were added, which a replay cannot repeat.
fn mask_times(text: &str) -> String {
    const KEY: &str = "\"created_at\":\"";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let (head, tail) = rest.split_at(at + KEY.len());
        out.push_str(head);
        out.push_str("<time>");
        rest = tail.find('"').map_or("", |end| &tail[end..]);
    }
    out.push_str(rest);
    out
}

/// The calls a run made: (name, arguments as JSON, whether the output was an error).
fn calls_made(run: &Run) -> Vec<(String, Value, bool)> {
    run.steps()
        .iter()
        .filter_map(|step| match step {
            RunStep::ToolCalls { calls, outputs } => Some(calls.iter().zip(outputs)),
            RunStep::MessageCreation { .. } => None,
        })
        .flatten()
        .map(|(call, output)| {
            let arguments = serde_json::from_str(&call.arguments).unwrap_or(Value::Null);
            (call.name.clone(), arguments, output.is_error)
        })
        .collect()
}

/// An approver for runs that must never ask.
fn never_asked(call: &ToolCall) -> Decision {
    panic!(
        "nothing here needs approval, yet {} was put to the user",
        call.name
    )
}

#[tokio::test]
async fn the_local_models_recorded_conversation_replays_through_the_planners_tools() {
    let recording = Recording::load(PLANNER_RECORDING).expect("the committed recording loads");
    assert_eq!(recording.exchanges().len(), 3);
    // The user's message is the recording's own.
    let Some(Message::User { content: message }) = recording.exchanges()[0].request.messages.last()
    else {
        panic!("the first request ends with the user's message")
    };
    assert_eq!(
        message,
        "I need to buy bread and call the dentist, which is a P1."
    );
    // Every exchange was streamed, as the loop asks.
    assert!(recording
        .exchanges()
        .iter()
        .all(|exchange| matches!(exchange.reply, ScriptedReply::Stream { error: None, .. })));

    let folder = TempDir::new("planner");
    let store = Store::open(&folder.join("tasks.db")).expect("a fresh database opens");
    let replay = Arc::new(Replay::new(&recording).with_text_filter(mask_times));
    let model: Arc<dyn ChatModel> = replay.clone();
    let assistant = tasks::assistant(model, &store).expect("the planner's tools register");
    let mut out = Vec::new();
    let run = tasks::chat(&assistant, message, &mut never_asked, &mut out)
        .await
        .expect("chat runs");

    // The run asked exactly what it asked the real model: same instructions, tools,
    // options, and tool outputs (but for the time stamps).
    assert_eq!(replay.finish(), Ok(()));
    assert_eq!(run.status(), RunStatus::Completed);
    // What the 0.5B model really did: it gave the bread a priority and a `completed`
    // field that add_task does not have, was told so, then added the dentist (P1) and
    // never came back to the bread.
    assert_eq!(
        calls_made(&run),
        [
            (
                "add_task".to_owned(),
                json!({"name": "Buy bread", "priority": 1, "completed": false}),
                true
            ),
            (
                "add_task".to_owned(),
                json!({"name": "Call the dentist", "priority": 1}),
                false
            ),
        ]
    );
    let Some(RunStep::ToolCalls { outputs, .. }) = run.steps().get(1) else {
        panic!("the second step ran the first call: {:?}", run.steps())
    };
    assert_eq!(
        outputs[0].content,
        "invalid arguments for tool `add_task`: completed: unknown field `completed`, expected `name` or `priority`"
    );
    assert_eq!(
        run.answer(),
        Some("The user needs to buy bread and call the dentist, which is a P1.")
    );
    let stored: Vec<(String, String, u8, bool)> = store
        .list(true)
        .expect("the tasks list")
        .into_iter()
        .map(|task| (task.id, task.name, task.priority, task.completed))
        .collect();
    assert_eq!(
        stored,
        [("t-1".to_owned(), "Call the dentist".to_owned(), 1, false)]
    );
    // The terminal showed what it showed when the conversation was recorded.
    assert_eq!(
        mask_times(&String::from_utf8(out).expect("text")),
        "-> add_task {\"name\":\"Buy bread\",\"priority\":1,\"completed\":false}\n\
         <- add_task error: invalid arguments for tool `add_task`: completed: unknown field `completed`, expected `name` or `priority`\n\
         -> add_task {\"name\": \"Call the dentist\", \"priority\": 1}\n\
         <- add_task ok: {\"id\":\"t-1\",\"name\":\"Call the dentist\",\"priority\":1,\"completed\":false,\"created_at\":\"<time>\"}\n\
         The user needs to buy bread and call the dentist, which is a P1.\n"
    );
}

#[tokio::test]
async fn a_change_to_the_planners_instructions_fails_the_replay_where_it_differs() {
    let recording = Recording::load(PLANNER_RECORDING).expect("the committed recording loads");
    let folder = TempDir::new("planner-changed");
    let store = Store::open(&folder.join("tasks.db")).expect("a fresh database opens");
    // A task already in the list changes the instructions the model is given.
    store.add("Water the plants", 3).expect("a task is added");
    let replay = Arc::new(Replay::new(&recording).with_text_filter(mask_times));
    let model: Arc<dyn ChatModel> = replay.clone();
    let assistant = tasks::assistant(model, &store).expect("the planner's tools register");
    let run = assistant
        .run(Thread::from(vec![Message::user(
            "I need to buy bread and call the dentist, which is a P1.",
        )]))
        .await;
    assert_eq!(run.status(), RunStatus::Failed);
    let Err(ReplayError::Diverged {
        exchange,
        path,
        recorded,
        sent,
    }) = replay.finish()
    else {
        panic!("the replay diverged: {:?}", replay.finish())
    };
    assert_eq!((exchange, path.as_str()), (1, "messages[0].content"));
    assert!(recorded.contains("The list is empty"), "{recorded}");
    assert!(
        sent.contains("t-1 | P3 | open | Water the plants"),
        "{sent}"
    );
    assert!(
        run.last_error()
            .expect("the run says why it failed")
            .message
            .contains("request 1 differs from the recording at messages[0].content"),
        "{:?}",
        run.last_error()
    );
}

// ---------------------------------------------------------------------------------------
// The OpenAI client, recorded against a real HTTP server on 127.0.0.1.

fn data(chunk: Value) -> String {
    format!("data: {chunk}\n\n")
}

fn done() -> String {
    "data: [DONE]\n\n".to_owned()
}

fn text_chunk(text: &str) -> String {
    data(json!({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]}))
}

fn call_chunk(calls: Value) -> String {
    data(json!({"choices": [{"index": 0, "delta": {"tool_calls": calls}, "finish_reason": null}]}))
}

fn finish_chunk(reason: &str) -> String {
    data(
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}],
                "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}}),
    )
}

async fn serve(replies: impl IntoIterator<Item = Reply>) -> Running {
    model_server::serve("/v1/chat/completions", replies).await
}

fn client(server: &Running) -> OpenAiClient {
    OpenAiClient::new(
        ClientConfig::new(format!("{}/v1", server.base_url), "test-model")
            .with_api_key("sk-header-key-that-never-reaches-a-model-0123")
            .with_timeout(Duration::from_secs(5))
            .with_retries(0),
    )
}

/// A reply of the nickname call (its arguments in two pieces), then a text in pieces.
fn nickname_conversation() -> [Reply; 2] {
    [
        Reply::sse([
            // The first chunk names the reply and its model, as real servers do.
            data(
                json!({"id": "chatcmpl-nick", "model": "test-model-2024", "choices": [{"index": 0,
                "delta": {"tool_calls": [{"index": 0, "id": "call_nick", "type": "function",
                    "function": {"name": "get_nickname", "arguments": "{\"locat"}}]},
                "finish_reason": null}]}),
            ),
            call_chunk(json!([{"index": 0, "function": {"arguments": "ion\": \"Paris\"}"}}])),
            finish_chunk("tool_calls"),
            done(),
        ]),
        Reply::sse([
            text_chunk("Paris is "),
            text_chunk("the City of Light."),
            finish_chunk("stop"),
            done(),
        ]),
    ]
}

/// Runs `thread` through an assistant of the city tools over `model`, collecting its events.
async fn run_with_events(model: Arc<dyn ChatModel>, thread: Vec<Message>) -> (Run, Vec<RunEvent>) {
    let assistant = Assistant::from_shared(model, Arc::new(city_tools::registry())).with_options(
        RunOptions::default().with_request(
            RequestOptions::default()
                .with_temperature(0.2)
                .with_max_tokens(100),
        ),
    );
    let mut run = assistant.start(Thread::from(thread));
    let events = assistant.events(&mut run).collect().await;
    (run, events)
}

#[tokio::test]
async fn a_streamed_run_replays_as_the_same_deltas_ids_and_thread() {
    let server = serve(nickname_conversation()).await;
    let folder = TempDir::new("streamed");
    let path = folder.join("run.json");
    let recorder = Arc::new(Recorder::new(client(&server)).with_file(&path));
    let thread = vec![Message::user("What is Paris called?")];
    let (recorded_run, recorded_events) = run_with_events(recorder.clone(), thread.clone()).await;
    assert_eq!(recorded_run.answer(), Some("Paris is the City of Light."));
    assert_eq!(recorder.write_error(), None);
    // Only the file is left behind: no temporary file.
    assert_eq!(folder.files(), ["run.json"]);

    let recording = Recording::load(&path).expect("the file loads");
    assert_eq!(recording, recorder.recording());
    // The model recorded, which the replay says it is.
    assert_eq!(
        (recording.provider(), recording.model()),
        (Some("openai"), Some("test-model"))
    );
    let [first, second] = recording.exchanges() else {
        panic!("two exchanges: {recording:?}")
    };
    assert_eq!(first.request.tools, ["get_current_weather", "get_nickname"]);
    assert_eq!(first.request.options.temperature, Some(0.2));
    // The deltas as the client gave them: the reply's name, then the call's arguments in
    // two pieces.
    let ScriptedReply::Stream {
        deltas,
        error: None,
    } = &first.reply
    else {
        panic!("a stream: {:?}", first.reply)
    };
    assert_eq!(
        deltas[..3],
        [
            ChatDelta::Metadata {
                id: Some("chatcmpl-nick".into()),
                model: Some("test-model-2024".into())
            },
            ChatDelta::ToolCall {
                index: 0,
                id: Some("call_nick".into()),
                name: Some("get_nickname".into()),
                arguments: "{\"locat".into()
            },
            ChatDelta::ToolCall {
                index: 0,
                id: None,
                name: None,
                arguments: "ion\": \"Paris\"}".into()
            },
        ]
    );
    assert_eq!(
        second.request.messages,
        recorded_run.thread().messages()[..3]
    );

    // Replayed without the server: the same events, piece for piece, and the same thread,
    // the call's id included.
    let replay = Arc::new(Replay::new(&recording));
    assert_eq!(
        (replay.provider(), replay.model()),
        (Some("openai"), Some("test-model"))
    );
    let (replayed_run, replayed_events) = run_with_events(replay.clone(), thread).await;
    assert_eq!(replay.finish(), Ok(()));
    assert_eq!(replayed_events, recorded_events);
    assert_eq!(replayed_run.thread(), recorded_run.thread());
    assert!(matches!(
        &replayed_run.thread().messages()[2],
        Message::Tool { tool_call_id, content, .. }
            if tool_call_id == "call_nick" && content == "Paris: the City of Light"
    ));
    assert_eq!(
        server.bodies().len(),
        2,
        "the replay did not reach the server"
    );
}

#[tokio::test]
async fn whole_replies_errors_and_a_broken_stream_replay_as_they_were() {
    let reply = json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_w", "type": "function",
             "function": {"name": "get_current_weather", "arguments": "{\"location\": \"Oslo\"}"}}]},
            "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 30, "completion_tokens": 9, "total_tokens": 39}
    });
    let server = serve([
        Reply::json(reply),
        Reply::status(
            429,
            json!({"error": {"message": "Rate limit reached for requests", "type": "requests"}}),
        ),
        Reply::Stream(vec![
            Piece::Bytes(text_chunk("It is ").into_bytes()),
            // The pause lets the delta leave before the connection drops.
            Piece::Pause(Duration::from_millis(50)),
            Piece::Abort,
        ]),
    ])
    .await;
    let recorder = Recorder::new(client(&server));
    let registry = city_tools::registry();
    let thread = [Message::user("Weather in Oslo?")];
    let request = || ChatRequest::new(&thread).with_tools(&registry);

    let whole = recorder.complete(request()).await.expect("a whole reply");
    let refused = recorder.complete(request()).await.expect_err("a 429");
    let (deltas, broken) = model_server::collect(&recorder, request()).await;
    assert_eq!(deltas, [ChatDelta::Text("It is ".into())]);
    let broken = broken.expect("the stream broke");
    assert!(matches!(broken, ModelError::Transport(_)), "{broken:?}");

    let recording = Recording::from_json(&recorder.recording().to_json()).expect("it reads back");
    assert_eq!(
        recording.replies(),
        [
            ScriptedReply::Respond(whole.clone()),
            ScriptedReply::Fail(refused.clone()),
            ScriptedReply::Stream {
                deltas: deltas.clone(),
                error: Some(broken.clone())
            },
        ]
    );
    assert_eq!(
        whole.tool_calls,
        [ToolCall::new(
            "call_w",
            "get_current_weather",
            "{\"location\": \"Oslo\"}"
        )]
    );
    assert_eq!(
        whole.usage,
        Some(Usage {
            prompt_tokens: 30,
            completion_tokens: 9
        })
    );
    assert_eq!(
        refused,
        ModelError::Status {
            status: 429,
            message: "Rate limit reached for requests".into()
        }
    );

    let replay = Replay::new(&recording);
    assert_eq!(replay.complete(request()).await, Ok(whole));
    assert_eq!(replay.complete(request()).await, Err(refused));
    assert_eq!(
        model_server::collect(&replay, request()).await,
        (deltas, Some(broken))
    );
    assert_eq!(replay.finish(), Ok(()));
    assert_eq!(server.bodies().len(), 3);
}

#[tokio::test]
async fn a_stream_the_run_stops_reading_is_recorded_as_cut_short() {
    let server = serve([Reply::Stream(vec![
        Piece::Bytes(text_chunk("Thinking").into_bytes()),
        Piece::Pause(Duration::from_secs(30)),
    ])])
    .await;
    let recorder = Recorder::new(client(&server));
    let thread = [Message::user("Hi")];
    let mut stream = recorder.stream(ChatRequest::new(&thread));
    assert_eq!(
        stream.next().await,
        Some(Ok(ChatDelta::Text("Thinking".into())))
    );
    drop(stream);
    assert_eq!(
        recorder.recording().replies(),
        [ScriptedReply::Stream {
            deltas: vec![ChatDelta::Text("Thinking".into())],
            error: Some(ModelError::Other(
                "the recorded stream ends here: the run stopped reading it".into()
            )),
        }]
    );
}

// ---------------------------------------------------------------------------------------
// A replay asked something else.

/// Get the nickname of a city, as people say it.
///
/// # Arguments
/// * `location` - The city, e.g. Paris.
#[tool(name = "get_nickname")]
fn reworded_nickname(location: String) -> String {
    format!("{location}: the City of Light")
}

/// A recording of the nickname conversation, from a scripted model (named as such: the
/// replies are written here).
async fn scripted_recording() -> Recording {
    let scripted = ScriptedModel::new([
        ChatResponse::tool_calls(vec![ToolCall::new(
            "call_1",
            "get_nickname",
            r#"{"location": "Paris"}"#,
        )])
        .into(),
        ScriptedReply::text("Paris is the City of Light."),
    ]);
    let recorder = Arc::new(Recorder::new(scripted));
    let (run, _) = run_with_events(recorder.clone(), vec![Message::user("Paris?")]).await;
    assert_eq!(run.status(), RunStatus::Completed);
    recorder.recording()
}

#[tokio::test]
async fn a_replay_reports_the_first_request_that_differs_and_where() {
    let recording = scripted_recording().await;

    // Another message.
    let replay = Arc::new(Replay::new(&recording));
    let (run, _) = run_with_events(replay.clone(), vec![Message::user("Lyon?")]).await;
    assert_eq!(run.status(), RunStatus::Failed);
    assert_eq!(
        replay.finish(),
        Err(ReplayError::Diverged {
            exchange: 1,
            path: "messages[0].content".into(),
            recorded: "\"Paris?\"".into(),
            sent: "\"Lyon?\"".into(),
        })
    );
    assert_eq!(
        run.last_error().map(|error| error.message.as_str()),
        Some(
            "request 1 differs from the recording at messages[0].content: recorded \"Paris?\", the run sent \"Lyon?\""
        )
    );

    // A tool reworded: the second tool's description.
    let mut registry = ToolRegistry::new();
    registry
        .register(city_tools::GetCurrentWeather)
        .and_then(|registry| registry.register(RewordedNickname))
        .expect("the tools register");
    let replay = Arc::new(Replay::new(&recording));
    let run = Assistant::from_shared(replay.clone(), Arc::new(registry))
        .with_options(
            RunOptions::default().with_request(
                RequestOptions::default()
                    .with_temperature(0.2)
                    .with_max_tokens(100),
            ),
        )
        .run(Thread::from(vec![Message::user("Paris?")]))
        .await;
    assert_eq!(run.status(), RunStatus::Failed);
    assert_eq!(
        replay.finish(),
        Err(ReplayError::Diverged {
            exchange: 1,
            path: "tools[1].description".into(),
            recorded: "\"Get the nickname of a city.\"".into(),
            sent: "\"Get the nickname of a city, as people say it.\"".into(),
        })
    );

    // Other options: the second request, once the tool output is in.
    let replay = Arc::new(Replay::new(&recording));
    let run = Assistant::from_shared(replay.clone(), Arc::new(city_tools::registry()))
        .with_options(
            RunOptions::default().with_request(
                RequestOptions::default()
                    .with_temperature(0.2)
                    .with_max_tokens(100)
                    .with_seed(7),
            ),
        )
        .run(Thread::from(vec![Message::user("Paris?")]))
        .await;
    assert_eq!(run.status(), RunStatus::Failed);
    assert_eq!(
        replay.finish().map_err(|error| error.to_string()),
        Err("request 1 differs from the recording at options.seed: recorded nothing, the run sent 7".into())
    );
}

#[tokio::test]
async fn a_replay_asked_fewer_or_more_times_says_so() {
    let recording = scripted_recording().await;
    let replay = Replay::new(&recording);
    assert_eq!(
        replay.finish(),
        Err(ReplayError::TooFew {
            asked: 0,
            recorded: 2
        })
    );

    // A loop that asks once more than recorded (here: by hand) gets an error reply.
    let replay = Arc::new(Replay::new(&recording));
    let (run, _) = run_with_events(replay.clone(), vec![Message::user("Paris?")]).await;
    assert_eq!(run.status(), RunStatus::Completed);
    assert_eq!(replay.finish(), Ok(()));
    let thread = run.thread().messages().to_vec();
    let extra = replay.complete(ChatRequest::new(&thread)).await;
    assert_eq!(
        extra,
        Err(ModelError::Other(
            "the run made request 3, but the recording has only 2 exchanges".into()
        ))
    );
    assert_eq!(
        replay.finish(),
        Err(ReplayError::TooMany {
            asked: 3,
            recorded: 2
        })
    );
    assert_eq!(replay.requests().len(), 2);
}

// ---------------------------------------------------------------------------------------
// Files.

#[tokio::test]
async fn a_file_cut_short_or_damaged_is_refused_saying_why() {
    let recording = scripted_recording().await;
    let folder = TempDir::new("files");
    let path = folder.join("run.json");
    recording.save(&path).expect("it saves");
    assert_eq!(Recording::load(&path), Ok(recording.clone()));
    let text = std::fs::read_to_string(&path).expect("it reads");

    // Cut anywhere: refused, never a panic, never a shorter recording.
    for cut in (0..text.len() - 2).step_by(7) {
        let error = Recording::from_json(&text[..cut]).expect_err("a cut file is refused");
        assert!(
            matches!(&error, RecordingError::Invalid(message) if message.starts_with("not a whole recording: ")),
            "cut at {cut}: {error}"
        );
    }
    std::fs::write(&path, &text[..text.len() / 2]).expect("a cut file");
    let error = Recording::load(&path).expect_err("refused").to_string();
    assert!(
        error.starts_with(&format!(
            "{}: not a whole recording: EOF while parsing",
            path.display()
        )),
        "{error}"
    );
    assert!(
        error.contains(" line ") && error.contains(" column "),
        "{error}"
    );

    // A field misspelt.
    assert!(text.contains("\"index\""));
    let damaged = text.replacen("\"index\"", "\"indx\"", 1);
    let error = Recording::from_json(&damaged)
        .expect_err("refused")
        .to_string();
    assert!(error.contains("`indx`"), "{error}");
    // A reply that is both a stream and a whole response.
    let mut value: Value = serde_json::from_str(&text).expect("JSON");
    value["exchanges"][1]["reply"]["response"] = json!({"finish_reason": "stop"});
    assert_eq!(
        Recording::from_json(&value.to_string()),
        Err(RecordingError::Invalid(
            "exchange 2: its reply must be a `response`, a `stream` (with an `error` if one ended it) or an `error` alone".into()
        ))
    );
    // Another version, another format.
    value["version"] = json!(2);
    assert_eq!(
        Recording::from_json(&value.to_string()),
        Err(RecordingError::Version {
            found: 2,
            supported: 1
        })
    );
    let error =
        Recording::from_json(r#"{"format": "something else", "version": 1}"#).expect_err("refused");
    assert_eq!(
        error.to_string(),
        "not a recording: its format is \"something else\", not \"tool-runtime recording\""
    );
    // No file, or nowhere to write one: the system's reason.
    let missing = folder.join("missing.json");
    assert!(matches!(
        Recording::load(&missing),
        Err(RecordingError::Read { path, .. }) if path == missing
    ));
    let nowhere = folder.join("no-such-folder").join("run.json");
    let error = recording.save(&nowhere).expect_err("no folder");
    assert!(
        error.to_string().starts_with(&format!(
            "could not write the recording {}: ",
            nowhere.display()
        )),
        "{error}"
    );
    assert_eq!(folder.files(), ["run.json"], "no temporary file is left");
}

// ---------------------------------------------------------------------------------------
// Secrets.

#[tokio::test]
async fn keys_in_messages_options_and_replies_never_reach_the_file() {
    let user_key = "sk-proj-UserPastedThisKey0123456789abcdef";
    let reply_key = "sk-ant-api03-ModelEchoedThisKey0123456789";
    let password = "correct-horse-battery-staple";
    let server = serve([
        Reply::sse([
            // The model echoes a key, split across two pieces of its text.
            text_chunk("Your key is sk-ant-api03-ModelEcho"),
            text_chunk("edThisKey0123456789 and "),
            call_chunk(json!([{"index": 0, "id": "call_k", "type": "function",
                               "function": {"name": "get_nickname",
                                            "arguments": format!("{{\"location\": \"{password}\"}}")}}])),
            finish_chunk("tool_calls"),
            done(),
        ]),
        Reply::sse([text_chunk("Authorization: Bearer abc.def.ghi"), finish_chunk("stop"), done()]),
    ])
    .await;
    let folder = TempDir::new("secrets");
    let path = folder.join("run.json");
    let recorder = Arc::new(
        Recorder::new(client(&server))
            .with_file(&path)
            .with_secret(password),
    );
    let assistant = Assistant::from_shared(recorder.clone(), Arc::new(city_tools::registry()))
        .with_options(RunOptions::default().with_request(
            RequestOptions::default().with_extra_field("metadata", json!({"password": password})),
        ));
    let thread = vec![Message::user(format!("My key is {user_key}. Paris?"))];
    let run = assistant.run(Thread::from(thread.clone())).await;
    assert_eq!(run.status(), RunStatus::Completed);
    // The model was sent them all: the recorder changes nothing on the way.
    let bodies = server.bodies();
    assert!(bodies[0].to_string().contains(user_key));
    assert!(bodies[0]["metadata"]["password"] == password);
    assert!(bodies[1].to_string().contains("ModelEchoedThisKey"));

    let bytes = std::fs::read(&path).expect("the file");
    let text = String::from_utf8(bytes).expect("UTF-8");
    for secret in [
        user_key,
        reply_key,
        password,
        "abc.def.ghi",
        "sk-header-key-that-never-reaches-a-model-0123",
        // No piece of the split key either.
        "ModelEcho",
        "edThisKey",
    ] {
        assert!(!text.contains(secret), "{secret} is in the file:\n{text}");
    }
    let recording = Recording::load(&path).expect("it loads");
    let [first, second] = recording.exchanges() else {
        panic!("two exchanges")
    };
    assert_eq!(
        first.request.messages,
        [Message::user("My key is [redacted]. Paris?")]
    );
    assert_eq!(
        first.request.options.extra_body["metadata"],
        json!({"password": "[redacted]"})
    );
    let ScriptedReply::Stream { deltas, .. } = &first.reply else {
        panic!("a stream")
    };
    // The two pieces the key spanned are one piece in the recording.
    assert_eq!(
        deltas[..2],
        [
            ChatDelta::Text("Your key is [redacted] and ".into()),
            ChatDelta::ToolCall {
                index: 0,
                id: Some("call_k".into()),
                name: Some("get_nickname".into()),
                arguments: "{\"location\": \"[redacted]\"}".into()
            }
        ]
    );
    assert!(matches!(
        &second.reply,
        ScriptedReply::Stream { deltas, .. }
            if deltas[0] == ChatDelta::Text("Authorization: Bearer [redacted]".into())
    ));
    assert!(deltas.contains(&ChatDelta::Finish(FinishReason::ToolCalls)));

    // The redacted recording still replays the run: the run's requests are scrubbed the
    // same way before they are compared.
    let replay = Arc::new(Replay::new(&recording).with_secret(password));
    let run = Assistant::from_shared(replay.clone(), Arc::new(city_tools::registry()))
        .with_options(RunOptions::default().with_request(
            RequestOptions::default().with_extra_field("metadata", json!({"password": password})),
        ))
        .run(Thread::from(thread))
        .await;
    assert_eq!(replay.finish(), Ok(()));
    assert_eq!(run.answer(), Some("Authorization: Bearer [redacted]"));
}

/// `task_planner chat --record FILE`, the example's own binary, against a real HTTP server
/// on 127.0.0.1: it writes a recording that replays through the planner's tools, without
/// the value of `OPENAI_API_KEY` the user also pasted into the message.
#[tokio::test(flavor = "multi_thread")]
async fn the_task_planners_record_flag_writes_a_recording_that_replays() {
    let server = serve([
        Reply::sse([
            call_chunk(json!([{"index": 0, "id": "call_bread", "type": "function",
                               "function": {"name": "add_task",
                                            "arguments": "{\"name\": \"Buy bread\"}"}}])),
            finish_chunk("tool_calls"),
            done(),
        ]),
        Reply::sse([
            text_chunk("I added "),
            text_chunk("Buy bread."),
            finish_chunk("stop"),
            done(),
        ]),
    ])
    .await;
    let key = "env-only-secret-value-42";
    let message = format!("Add bread to my list. (My key is {key}.)");
    let folder = TempDir::new("planner-record");
    let (db, file) = (folder.join("tasks.db"), folder.join("run.json"));
    let binary = crate::support::programs::example_binary("task_planner");
    let mut command = std::process::Command::new(binary);
    command
        .arg("--db")
        .arg(&db)
        .args(["chat", "--record"])
        .arg(&file)
        .arg(&message)
        .env("OPENAI_BASE_URL", format!("{}/v1", server.base_url))
        .env("OPENAI_API_KEY", key)
        .env("OPENAI_MODEL", "test-model")
        .stdin(std::process::Stdio::null());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the process is waited for")
        .expect("the example runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("recorded 2 model exchanges in {}", file.display())),
        "{stderr}"
    );
    assert!(
        server.bodies()[0].to_string().contains(key),
        "the model was sent the message as written"
    );

    let text = std::fs::read_to_string(&file).expect("the recording");
    assert!(!text.contains(key), "{text}");
    let recording = Recording::load(&file).expect("it loads");
    assert_eq!(
        recording.exchanges()[0].request.messages.last(),
        Some(&Message::user(
            "Add bread to my list. (My key is [redacted].)"
        ))
    );

    // Replayed in this process, which has no such variable: the replay is told the key.
    let store = Store::open(&folder.join("replayed.db")).expect("a fresh database opens");
    let replay = Arc::new(
        Replay::new(&recording)
            .with_secret(key)
            .with_text_filter(mask_times),
    );
    let model: Arc<dyn ChatModel> = replay.clone();
    let assistant = tasks::assistant(model, &store).expect("the planner's tools register");
    let run = tasks::chat(&assistant, &message, &mut never_asked, &mut Vec::new())
        .await
        .expect("chat runs");
    assert_eq!(replay.finish(), Ok(()));
    assert_eq!(run.answer(), Some("I added Buy bread."));
    let names: Vec<String> = store
        .list(true)
        .expect("the tasks")
        .into_iter()
        .map(|task| task.name)
        .collect();
    assert_eq!(names, ["Buy bread"]);
}

/// The recordings under `tests/recordings/` are as the recorder wrote them: they read back
/// into the same text (nobody reformatted them or edited them by hand in a way the format
/// would not write).
#[test]
fn the_committed_recordings_are_as_written() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/recordings");
    let mut seen = 0;
    for entry in std::fs::read_dir(&folder).expect("the recordings folder") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a text file");
        let recording = Recording::load(&path).expect("a recording");
        assert_eq!(
            recording.to_json(),
            text,
            "{} was changed by hand",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 1);
}

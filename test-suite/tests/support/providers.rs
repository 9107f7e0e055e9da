//! The scenarios the provider clients' tests share (`suite/openai_client.rs`,
//! `suite/openai_responses.rs`, `suite/anthropic_client.rs`), run for each client against
//! the scripted server speaking its wire format: retries before a whole reply and before
//! a stream, giving up after the retries, client errors not retried, and an `Assistant`
//! run that sends a tool's output back; the bounds on a reply (time with no event, total
//! time, size of a whole body, of an error body and of a streamed reply); a stream cut
//! short before its first delta retried; the deltas before a bad event delivered; a request
//! whose options the provider lacks refused before sending, and a run's request options
//! sent with its requests. A [`Provider`] says how its wire format spells
//! what a scenario needs; each test file keeps what is its own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Notify;
use tool_runtime::chat::{
    ChatDelta, ChatModel, ChatRequest, Message, ModelError, RequestOptions, ResponseFormat, Usage,
};
use tool_runtime::format::SchemaForm;
use tool_runtime::run::{Assistant, RunOptions, RunStatus, Thread};
use tool_runtime::transport::ClientConfig;
use tool_runtime::{ToolCall, ToolFormat, ToolOutput, ToolRegistry};

use super::city_tools::registry;
use super::model_server::{self, collect, content, rebuild, Piece, Reply, Running};

/// A provider's client and its wire format, as the shared scenarios need them.
pub(crate) trait Provider {
    /// The client under test.
    type Client: ChatModel + 'static;
    /// Where the server answers.
    const PATH: &'static str;
    /// The format the client sends its tools in.
    const FORMAT: ToolFormat;
    /// The header that carries the API key.
    const KEY_HEADER: &'static str;

    /// A client of `server` with short waits.
    fn client(server: &Running) -> Self::Client;
    /// `client` with `retries` retries.
    fn with_retries(client: Self::Client, retries: u32) -> Self::Client;
    /// `client` with an API key.
    fn with_api_key(client: Self::Client, key: &str) -> Self::Client;
    /// `client` with its settings changed by `change`.
    fn configured(
        client: Self::Client,
        change: impl FnOnce(ClientConfig) -> ClientConfig,
    ) -> Self::Client;
    /// The value of [`Self::KEY_HEADER`] for `key`.
    fn key_value(key: &str) -> String;
    /// A whole reply of `text`.
    fn text_reply(text: &str) -> Value;
    /// A streamed reply of `text`.
    fn text_stream(text: &str) -> Reply;
    /// The events (framed) a streamed text reply starts with, before its first delta.
    fn stream_head() -> Vec<String>;
    /// One event (framed) adding `text` to a streamed text reply, after the head.
    fn text_event(text: &str) -> String;
}

/// Starts a server at `P::PATH` answering with `replies`.
pub(crate) async fn serve<P: Provider>(replies: impl IntoIterator<Item = Reply>) -> Running {
    model_server::serve(P::PATH, replies).await
}

/// The usage of a reply.
pub(crate) fn usage(prompt_tokens: u64, completion_tokens: u64) -> Usage {
    Usage {
        prompt_tokens,
        completion_tokens,
    }
}

/// A piece of a streamed tool call.
pub(crate) fn piece(
    index: usize,
    id: Option<&str>,
    name: Option<&str>,
    arguments: &str,
) -> ChatDelta {
    ChatDelta::ToolCall {
        index,
        id: id.map(str::to_owned),
        name: name.map(str::to_owned),
        arguments: arguments.to_owned(),
    }
}

/// A thread after one turn of two parallel calls, the second failed; the assistant said
/// `said` with its calls.
pub(crate) fn thread_with_outputs(said: Option<&str>) -> Vec<Message> {
    let paris = ToolCall::new("call_a", "get_current_weather", r#"{"location": "Paris"}"#);
    let rome = ToolCall::new("call_b", "get_nickname", "");
    vec![
        Message::system("You are terse."),
        Message::user("Weather in Paris, and Rome's nickname?"),
        Message::Assistant {
            content: said.map(str::to_owned),
            tool_calls: vec![paris.clone(), rome.clone()],
        },
        Message::tool(&ToolOutput::success(&paris, "Paris: 72 F")),
        Message::tool(&ToolOutput::error(
            &rome,
            "get_nickname: missing field `location`",
        )),
    ]
}

/// The answers in `before_reply` come before a whole reply, those in `before_stream`
/// before a stream: each is retried with the same request, then the reply comes, whole or
/// streamed.
pub(crate) async fn retried_then_answered<P: Provider>(
    before_reply: Vec<Reply>,
    before_stream: Vec<Reply>,
) {
    let (first, second) = (before_reply.len() + 1, before_stream.len() + 1);
    let mut replies = before_reply;
    replies.push(Reply::json(P::text_reply("Third time lucky.")));
    replies.extend(before_stream);
    replies.push(P::text_stream("Streamed after a retry."));
    let server = serve::<P>(replies).await;
    let client = P::client(&server);
    let thread = [Message::user("Hi")];

    let reply = client
        .complete(ChatRequest::new(&thread))
        .await
        .expect("a reply after the retries");
    let (deltas, error) = collect(&client, ChatRequest::new(&thread)).await;

    assert_eq!(reply.content.as_deref(), Some("Third time lucky."));
    assert_eq!(error, None);
    assert_eq!(
        rebuild(&deltas).content.as_deref(),
        Some("Streamed after a retry.")
    );
    let bodies = server.bodies();
    assert_eq!(bodies.len(), first + second);
    assert!(
        bodies[..first].iter().all(|body| *body == bodies[0]),
        "the same request again"
    );
    assert!(
        bodies[first..].iter().all(|body| *body == bodies[first]),
        "the same stream request again"
    );
}

/// `failing()` answers every request: with two retries the client tries three times and
/// gives up with `expected`, the body's message.
pub(crate) async fn gives_up_after_the_retries<P: Provider>(
    failing: impl Fn() -> Reply,
    expected: ModelError,
) {
    let server = serve::<P>([failing(), failing(), failing(), failing()]).await;
    let thread = [Message::user("Hi")];

    let error = P::with_retries(P::client(&server), 2)
        .complete(ChatRequest::new(&thread))
        .await
        .expect_err("still failing");

    assert_eq!(error, expected);
    assert_eq!(server.bodies().len(), 3, "one try and two retries");
}

/// A client error answers a whole request and another a stream: neither is retried, and
/// each gives its body's message (the stream no delta).
pub(crate) async fn client_errors_are_not_retried<P: Provider>(
    whole: (Reply, ModelError),
    streamed: (Reply, ModelError),
) {
    let server = serve::<P>([whole.0, streamed.0]).await;
    let registry = registry();
    let client = P::client(&server);
    let thread = [Message::user("Hi")];

    let error = client
        .complete(ChatRequest::new(&thread).with_tools(&registry))
        .await
        .expect_err("a client error");
    let (deltas, stream_error) = collect(&client, ChatRequest::new(&thread)).await;

    assert_eq!(error, whole.1);
    assert_eq!(deltas, []);
    assert_eq!(stream_error, Some(streamed.1));
    assert_eq!(server.bodies().len(), 2, "no retries");
}

/// An `Assistant` run: the model streams a call of `get_nickname` for Paris
/// (`call_stream`, usage 50 + 15), the tool runs, and the second request carries its output
/// (`second_request(tools)`, given the plain tools the client sends); then the model answers
/// (usage 30 + 8). Every request carries the API key.
pub(crate) async fn an_assistant_run_sends_the_output_back<P: Provider>(
    call_stream: Reply,
    key: &str,
    second_request: impl FnOnce(Value) -> Value,
) {
    let server = serve::<P>([call_stream, P::text_stream("Paris is the City of Light.")]).await;
    let registry = registry();
    let tools = registry.export_with(P::FORMAT, SchemaForm::Plain);
    let assistant = Assistant::new(P::with_api_key(P::client(&server), key), registry)
        .with_instructions("Answer briefly.");

    let run = assistant
        .run(Thread::from(vec![Message::user("What is Paris called?")]))
        .await;

    assert_eq!(run.status(), RunStatus::Completed, "{:?}", run.last_error());
    assert_eq!(run.answer(), Some("Paris is the City of Light."));
    assert_eq!(run.usage(), usage(80, 23));
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[1], second_request(tools));
    assert_eq!(
        server.header(P::KEY_HEADER),
        [Some(P::key_value(key)), Some(P::key_value(key))]
    );
}

/// The JSON Schema of the response format the request-option tests ask for.
pub(crate) fn city_schema() -> Value {
    serde_json::json!({"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"], "additionalProperties": false})
}

/// Every option set, as the request-option tests ask them (a client refuses those its
/// provider lacks; each test adds an extra field of its provider's): 100 tokens,
/// temperature 0.25, `top_p` 0.9, seed 42, stop at `END`, the `city` format.
pub(crate) fn every_option() -> RequestOptions {
    RequestOptions::default()
        .with_max_tokens(100)
        .with_temperature(0.25)
        .with_top_p(0.9)
        .with_seed(42)
        .with_stop(["END"])
        .with_response_format(ResponseFormat::json_schema("city", city_schema()))
}

/// `base` (an object) with the fields of `fields` (an object) added.
pub(crate) fn with_fields(mut base: Value, fields: Value) -> Value {
    if let (Some(base), Value::Object(fields)) = (base.as_object_mut(), fields) {
        base.extend(fields);
    }
    base
}

/// The thread of the request-option tests: instructions and a question.
pub(crate) fn json_thread() -> Vec<Message> {
    vec![
        Message::system("Answer in JSON."),
        Message::user("Which city is the City of Light?"),
    ]
}

/// A request with `options` is refused with `expected` before anything is sent, whole and
/// streamed: the server receives nothing.
pub(crate) async fn refused_before_sending<P: Provider>(options: RequestOptions, expected: &str) {
    let server = serve::<P>([]).await;
    let client = P::client(&server);
    let thread = json_thread();
    let request = || ChatRequest::new(&thread).with_options(options.clone());

    let error = client.complete(request()).await.expect_err("refused");
    let (deltas, stream_error) = collect(&client, request()).await;

    assert_eq!(error, ModelError::InvalidRequest(expected.to_owned()));
    assert_eq!(
        error.to_string(),
        format!("the request was not sent: {expected}")
    );
    assert_eq!(deltas, []);
    assert_eq!(stream_error, Some(error));
    assert_eq!(server.bodies().len(), 0, "nothing was sent");
}

/// An `Assistant` whose `RunOptions` carry `options` sends them with its request:
/// the (streamed) body is `expected`.
pub(crate) async fn run_options_reach_the_request<P: Provider>(
    options: RequestOptions,
    expected: Value,
) {
    let server = serve::<P>([P::text_stream("{\"city\": \"Paris\"}")]).await;
    let assistant = Assistant::new(P::client(&server), ToolRegistry::new())
        .with_instructions("Answer in JSON.")
        .with_options(RunOptions::default().with_request(options));

    let run = assistant
        .run(Thread::from(vec![Message::user(
            "Which city is the City of Light?",
        )]))
        .await;

    assert_eq!(run.status(), RunStatus::Completed, "{:?}", run.last_error());
    assert_eq!(run.answer(), Some("{\"city\": \"Paris\"}"));
    assert_eq!(server.bodies(), [expected]);
}

/// The text of these deltas, together.
fn text_of(deltas: &[ChatDelta]) -> String {
    rebuild(deltas).content.unwrap_or_default()
}

/// A server that keeps a stream open with a comment every 100 ms (keep-alives, no event)
/// for 3 s: with a 300 ms timeout, the client ends it as quiet long before, since
/// comments are not progress.
pub(crate) async fn comments_are_not_progress<P: Provider>() {
    let mut pieces: Vec<Piece> = P::stream_head()
        .into_iter()
        .map(|event| Piece::Bytes(event.into_bytes()))
        .collect();
    for _ in 0..30 {
        pieces.push(Piece::Pause(Duration::from_millis(100)));
        pieces.push(Piece::Bytes(b": keep-alive\n\n".to_vec()));
    }
    let server = serve::<P>([Reply::Stream(pieces)]).await;
    let client = P::configured(P::client(&server), |c| {
        c.with_timeout(Duration::from_millis(300)).with_retries(0)
    });
    let thread = [Message::user("Hi")];

    let started = Instant::now();
    let (deltas, error) = collect(&client, ChatRequest::new(&thread)).await;

    // Nothing of the reply (the head may have named it).
    assert_eq!(content(&deltas), []);
    assert!(
        matches!(&error, Some(ModelError::Transport(message)) if message.contains("quiet: no event")),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// A server that trickles a one-character delta every 100 ms for 4 s never trips a
/// 300 ms idle timeout; the total timeout (1 s) ends the request, after the deltas that
/// came.
pub(crate) async fn a_trickling_reply_ends_at_the_total_timeout<P: Provider>() {
    let mut pieces: Vec<Piece> = P::stream_head()
        .into_iter()
        .map(|event| Piece::Bytes(event.into_bytes()))
        .collect();
    for _ in 0..40 {
        pieces.push(Piece::Pause(Duration::from_millis(100)));
        pieces.push(Piece::Bytes(P::text_event("a").into_bytes()));
    }
    let server = serve::<P>([Reply::Stream(pieces)]).await;
    let client = P::configured(P::client(&server), |c| {
        c.with_timeout(Duration::from_millis(300))
            .with_total_timeout(Duration::from_secs(1))
    });
    let thread = [Message::user("Hi")];

    let started = Instant::now();
    let (deltas, error) = collect(&client, ChatRequest::new(&thread)).await;

    assert!(
        text_of(&deltas).len() >= 3,
        "the deltas that came: {deltas:?}"
    );
    assert!(
        matches!(&error, Some(ModelError::Transport(message)) if message.contains("total limit")),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.bodies().len(), 1, "not retried");
}

/// With replies capped at 64 KiB: a 100 KiB whole reply, a 100 KiB whole reply to a
/// stream request (sent without a length), and 80 KiB of streamed deltas each end with an
/// error naming the bound (the deltas within it delivered); a `429` whose body never ends
/// is read up to a prefix and reported at once.
pub(crate) async fn replies_past_the_size_limits_are_errors<P: Provider>() {
    const LIMIT: usize = 64 << 10;
    let big = P::text_reply(&"x".repeat(100 << 10))
        .to_string()
        .into_bytes();
    let mut deltas = P::stream_head();
    deltas.extend((0..20).map(|_| P::text_event(&"y".repeat(4 << 10))));
    let never = Arc::new(Notify::new());
    let server = serve::<P>([
        Reply::Http {
            status: 200,
            headers: vec![("content-type", "application/json".into())],
            body: big.clone(),
            delay: Duration::ZERO,
        },
        Reply::Pieces {
            status: 200,
            content_type: "application/json",
            pieces: vec![Piece::Bytes(big)],
        },
        Reply::sse(deltas),
        Reply::Pieces {
            status: 429,
            content_type: "text/plain",
            pieces: vec![
                Piece::Bytes(vec![b'z'; 70 << 10]),
                Piece::Wait(never.clone()),
            ],
        },
    ])
    .await;
    let client = P::configured(P::client(&server), |c| {
        c.with_max_reply_bytes(LIMIT)
            .with_retries(0)
            .with_timeout(Duration::from_secs(3))
    });
    let thread = [Message::user("Hi")];
    let past_the_limit = |error: &Option<ModelError>| {
        matches!(error, Some(ModelError::Protocol(message))
            if message.contains("with_max_reply_bytes"))
    };

    let whole = client.complete(ChatRequest::new(&thread)).await.err();
    assert!(past_the_limit(&whole), "{whole:?}");
    let (deltas, error) = collect(&client, ChatRequest::new(&thread)).await;
    assert_eq!(deltas, []);
    assert!(past_the_limit(&error), "{error:?}");
    let (deltas, error) = collect(&client, ChatRequest::new(&thread)).await;
    let text = text_of(&deltas);
    assert!(
        text.len() <= LIMIT && text.len() >= 60 << 10,
        "{}",
        text.len()
    );
    assert!(past_the_limit(&error), "{error:?}");
    let started = Instant::now();
    let error = client.complete(ChatRequest::new(&thread)).await.err();
    assert!(
        matches!(&error, Some(ModelError::Status { status: 429, message }) if message.starts_with("zzz")),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "not read to its end"
    );
}

/// A stream that ends cleanly before its first event (after a comment, or at once) is
/// retried like one cut by a transport error; then the reply comes.
pub(crate) async fn a_stream_ended_before_its_first_delta_is_retried<P: Provider>() {
    let server = serve::<P>([
        Reply::sse([": starting\n\n".to_owned()]),
        Reply::sse(Vec::new()),
        P::text_stream("At last."),
    ])
    .await;
    let thread = [Message::user("Hi")];

    let (deltas, error) = collect(&P::client(&server), ChatRequest::new(&thread)).await;

    assert_eq!(error, None);
    assert_eq!(text_of(&deltas), "At last.");
    assert_eq!(server.bodies().len(), 3);
}

/// One piece of the stream holds a good event and then a bad one: the good event's delta
/// comes out, then the error.
pub(crate) async fn the_deltas_before_a_bad_event_are_delivered<P: Provider>() {
    let mut head = P::stream_head().concat();
    head.push_str(&P::text_event("Hello"));
    head.push_str("data: {not json\n\n");
    let server = serve::<P>([Reply::sse([head])]).await;
    let thread = [Message::user("Hi")];

    let (deltas, error) = collect(&P::client(&server), ChatRequest::new(&thread)).await;

    assert_eq!(content(&deltas), [ChatDelta::Text("Hello".into())]);
    assert!(matches!(error, Some(ModelError::Protocol(_))), "{error:?}");
    assert_eq!(server.bodies().len(), 1, "a delta went out: no retry");
}

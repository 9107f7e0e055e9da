//! The scenarios the provider clients' tests share (`suite/openai_client.rs`,
//! `suite/openai_responses.rs`, `suite/anthropic_client.rs`), run for each client against
//! the scripted server speaking its wire format: retries before a whole reply and before
//! a stream, giving up after the retries, client errors not retried, and an `Assistant`
//! run that sends a tool's output back. A [`Provider`] says how its wire format spells
//! what a scenario needs; each test file keeps what is its own.

use serde_json::Value;
use tool_runtime::chat::{ChatDelta, ChatModel, ChatRequest, Message, ModelError, Usage};
use tool_runtime::format::SchemaForm;
use tool_runtime::run::{Assistant, RunStatus, Thread};
use tool_runtime::{ToolCall, ToolFormat, ToolOutput};

use super::city_tools::registry;
use super::model_server::{self, collect, rebuild, Reply, Running};

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
    /// The value of [`Self::KEY_HEADER`] for `key`.
    fn key_value(key: &str) -> String;
    /// A whole reply of `text`.
    fn text_reply(text: &str) -> Value;
    /// A streamed reply of `text`.
    fn text_stream(text: &str) -> Reply;
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

//! A recorded run's model exchanges, and the file that keeps them (docs/recorded-runs.md
//! describes the format).
//!
//! The file's types below are the format's own, not the crate's public types with serde
//! derives: the format is versioned and documented, and must not change because a public
//! type gains a field.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::call::ToolCall;
use crate::chat::{
    ChatDelta, ChatRequest, ChatResponse, FinishReason, Message, ModelError, RequestOptions,
    ResponseFormat, ToolChoice, Usage,
};

use super::scripted::{RecordedRequest, ScriptedReply};

/// What the file's `format` field says.
const FORMAT_NAME: &str = "tool-runtime recording";

/// Why a recording could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordingError {
    /// The file could not be read.
    #[error("could not read the recording {}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// The file could not be written; the one there before, if any, is unchanged.
    #[error("could not write the recording {}: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// The text is not a whole recording: not JSON, cut short, or a field is missing or of
    /// the wrong type (the message says where, by line and column).
    #[error("{0}")]
    Invalid(String),
    /// The recording is in a format version this crate does not read.
    #[error(
        "the recording is in format version {found}; this version of tool-runtime reads version {supported}"
    )]
    Version {
        /// The file's version.
        found: u64,
        /// The version read here.
        supported: u64,
    },
}

/// One exchange of a recording: what the model was asked, and what it answered.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Exchange {
    /// What the model was asked (with secrets already replaced by `[redacted]`).
    pub request: RecordedRequest,
    /// What it answered: [`ScriptedReply::Respond`] for a whole reply,
    /// [`ScriptedReply::Stream`] for a streamed one (its deltas as they came, and the
    /// error that ended it, if any), [`ScriptedReply::Fail`] for an error instead of a
    /// reply.
    pub reply: ScriptedReply,
    /// The request as the file has it (tool definitions included), which a
    /// [`Replay`](super::Replay) compares the requests it gets with.
    pub(crate) record: Value,
}

impl Exchange {
    /// An exchange from the request as the file has it, and the reply.
    pub(crate) fn from_record(record: Value, reply: ScriptedReply) -> Result<Self, String> {
        let request = RequestRecord::deserialize(&record)
            .map_err(|error| format!("its request cannot be read: {error}"))?;
        Ok(Self {
            request: request.into_recorded(),
            reply,
            record,
        })
    }
}

/// The model exchanges of one or more runs, in the order they happened: what a
/// [`Recorder`](super::Recorder) saw, or what a file holds. A [`Replay`](super::Replay)
/// plays it back and checks that the run asks the same things.
///
/// ```
/// use tool_runtime::chat::{ChatModel, ChatRequest, Message};
/// use tool_runtime::testing::{Recorder, Recording, ScriptedModel, ScriptedReply};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let recorder = Recorder::new(ScriptedModel::new([ScriptedReply::text("Hi.")]));
/// let thread = [Message::user("Hello")];
/// recorder.complete(ChatRequest::new(&thread)).await.unwrap();
///
/// let recording = recorder.recording();
/// let text = recording.to_json();
/// assert!(text.contains(r#""version": 1"#));
/// assert_eq!(Recording::from_json(&text).unwrap(), recording);
/// assert_eq!(recording.exchanges()[0].request.messages, thread);
/// assert_eq!(recording.exchanges()[0].reply, ScriptedReply::text("Hi."));
/// # });
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recording {
    /// The recorded model's provider and model ([`ChatModel::provider`] and
    /// [`ChatModel::model`]), which a replay says it is.
    ///
    /// [`ChatModel::provider`]: crate::chat::ChatModel::provider
    /// [`ChatModel::model`]: crate::chat::ChatModel::model
    provider: Option<String>,
    model: Option<String>,
    exchanges: Vec<Exchange>,
}

impl Recording {
    /// The version of the file format this crate writes and reads.
    pub const FORMAT_VERSION: u64 = 1;

    /// The provider of the model recorded (`openai`, `anthropic`...), if it said.
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// The model recorded (the one requested), if it said.
    pub fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }

    pub(crate) fn set_model(&mut self, provider: Option<&str>, model: Option<&str>) {
        self.provider = provider.map(str::to_owned);
        self.model = model.map(str::to_owned);
    }

    /// The exchanges, oldest first.
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// The replies, in order, for a [`ScriptedModel`](super::ScriptedModel) that replays
    /// them without checking what it is asked.
    pub fn replies(&self) -> Vec<ScriptedReply> {
        self.exchanges
            .iter()
            .map(|exchange| exchange.reply.clone())
            .collect()
    }

    pub(crate) fn push(&mut self, exchange: Exchange) {
        self.exchanges.push(exchange);
    }

    /// The recording as the file's text (pretty JSON, so a committed recording diffs
    /// line by line).
    pub fn to_json(&self) -> String {
        // Serializing strings, numbers and `Value`s cannot fail (`save` checks anyway).
        self.try_to_json().unwrap_or_default()
    }

    fn try_to_json(&self) -> Result<String, serde_json::Error> {
        let file = FileRecord {
            format: FORMAT_NAME.to_owned(),
            version: Self::FORMAT_VERSION,
            provider: self.provider.clone(),
            model: self.model.clone(),
            exchanges: self
                .exchanges
                .iter()
                .map(|exchange| ExchangeRecord {
                    request: exchange.record.clone(),
                    reply: ReplyRecord::of(&exchange.reply),
                })
                .collect(),
        };
        Ok(serde_json::to_string_pretty(&file)? + "\n")
    }

    /// Reads a recording from the file's text. Anything but a whole recording of this
    /// format version is refused, saying why and where.
    pub fn from_json(text: &str) -> Result<Self, RecordingError> {
        // The head first, so a file of another version says so rather than failing on a
        // field this version does not know.
        let head: HeadRecord = serde_json::from_str(text)
            .map_err(|error| RecordingError::Invalid(format!("not a whole recording: {error}")))?;
        if head.format != FORMAT_NAME {
            return Err(RecordingError::Invalid(format!(
                "not a recording: its format is {:?}, not {FORMAT_NAME:?}",
                head.format
            )));
        }
        if head.version != Self::FORMAT_VERSION {
            return Err(RecordingError::Version {
                found: head.version,
                supported: Self::FORMAT_VERSION,
            });
        }
        let file: FileRecord = serde_json::from_str(text)
            .map_err(|error| RecordingError::Invalid(format!("not a whole recording: {error}")))?;
        let mut recording = Self {
            provider: file.provider,
            model: file.model,
            exchanges: Vec::new(),
        };
        for (index, exchange) in file.exchanges.into_iter().enumerate() {
            let number = index + 1;
            let reply = exchange
                .reply
                .into_reply()
                .map_err(|error| RecordingError::Invalid(format!("exchange {number}: {error}")))?;
            let exchange = Exchange::from_record(exchange.request, reply)
                .map_err(|error| RecordingError::Invalid(format!("exchange {number}: {error}")))?;
            recording.exchanges.push(exchange);
        }
        Ok(recording)
    }

    /// Reads the recording in the file at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, RecordingError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| RecordingError::Read {
            path: path.to_owned(),
            message: error.to_string(),
        })?;
        Self::from_json(&text).map_err(|error| match error {
            RecordingError::Invalid(message) => {
                RecordingError::Invalid(format!("{}: {message}", path.display()))
            }
            other => other,
        })
    }

    /// Writes the recording to `path`, whole or not at all: into a new file beside it,
    /// flushed to disk, then renamed over `path`. A failure leaves what was at `path`
    /// before as it was.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), RecordingError> {
        let path = path.as_ref();
        let failed = |message: String| RecordingError::Write {
            path: path.to_owned(),
            message,
        };
        let text = self
            .try_to_json()
            .map_err(|error| failed(error.to_string()))?;
        write_whole(path, text.as_bytes()).map_err(|error| failed(error.to_string()))
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory (a rename is
/// atomic only within one file system), removed again if anything fails.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("the path names no file"))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(
        ".{}-{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let temporary = path.with_file_name(temporary_name);
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// A request as the file keeps it.
pub(crate) fn request_record(request: &ChatRequest<'_>) -> Value {
    let record = RequestRecord {
        messages: request.messages.to_vec(),
        tools: request
            .tools
            .iter()
            .map(|tool| ToolRecord {
                name: tool.name().to_owned(),
                description: tool.description().to_owned(),
                parameters: tool.parameters().clone(),
                strict: tool.is_strict(),
            })
            .collect(),
        options: OptionsRecord::of(&request.options),
    };
    serde_json::to_value(record).unwrap_or(Value::Null)
}

/// A reply as the file keeps it.
pub(crate) fn reply_record(reply: &ScriptedReply) -> Value {
    serde_json::to_value(ReplyRecord::of(reply)).unwrap_or(Value::Null)
}

/// A reply from what [`reply_record`] made (after redaction).
pub(crate) fn reply_of_record(record: Value) -> Result<ScriptedReply, String> {
    ReplyRecord::deserialize(record)
        .map_err(|error| error.to_string())?
        .into_reply()
}

// --- The file's types ----------------------------------------------------------------------

#[derive(Deserialize)]
struct HeadRecord {
    format: String,
    version: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRecord {
    format: String,
    version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    exchanges: Vec<ExchangeRecord>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExchangeRecord {
    /// Kept as JSON: a replay compares requests in this form.
    request: Value,
    reply: ReplyRecord,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestRecord {
    messages: Vec<Message>,
    #[serde(default)]
    tools: Vec<ToolRecord>,
    #[serde(default)]
    options: OptionsRecord,
}

impl RequestRecord {
    fn into_recorded(self) -> RecordedRequest {
        let options = self.options.into_options();
        RecordedRequest {
            messages: self.messages,
            tools: self.tools.into_iter().map(|tool| tool.name).collect(),
            tool_choice: options.tool_choice.clone(),
            options,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolRecord {
    name: String,
    description: String,
    parameters: Value,
    strict: bool,
}

#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsRecord {
    #[serde(default)]
    tool_choice: ToolChoice,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parallel_tool_calls: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    stop: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response_format: Option<ResponseFormatRecord>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    extra_body: Map<String, Value>,
}

impl OptionsRecord {
    fn of(options: &RequestOptions) -> Self {
        Self {
            tool_choice: options.tool_choice.clone(),
            parallel_tool_calls: options.parallel_tool_calls,
            max_tokens: options.max_tokens,
            temperature: options.temperature,
            top_p: options.top_p,
            seed: options.seed,
            stop: options.stop.clone(),
            response_format: options
                .response_format
                .as_ref()
                .map(|format| ResponseFormatRecord {
                    name: format.name.clone(),
                    schema: format.schema.clone(),
                    strict: format.strict,
                }),
            extra_body: options.extra_body.clone(),
        }
    }

    fn into_options(self) -> RequestOptions {
        // Field by field through the setters: `RequestOptions` may gain fields.
        let mut options = RequestOptions::default().with_tool_choice(self.tool_choice);
        options.parallel_tool_calls = self.parallel_tool_calls;
        options.max_tokens = self.max_tokens;
        options.temperature = self.temperature;
        options.top_p = self.top_p;
        options.seed = self.seed;
        options.stop = self.stop;
        options.response_format = self.response_format.map(|format| {
            ResponseFormat::json_schema(format.name, format.schema).with_strict(format.strict)
        });
        options.extra_body = self.extra_body;
        options
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseFormatRecord {
    name: String,
    schema: Value,
    strict: bool,
}

/// One of: `response` (a whole reply), `stream` (its deltas) with an `error` if one ended
/// it, or `error` alone (no reply).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<ResponseRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream: Option<Vec<DeltaRecord>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<ErrorRecord>,
}

impl ReplyRecord {
    fn of(reply: &ScriptedReply) -> Self {
        match reply {
            ScriptedReply::Respond(response) => Self {
                response: Some(ResponseRecord::of(response)),
                stream: None,
                error: None,
            },
            ScriptedReply::Fail(error) => Self {
                response: None,
                stream: None,
                error: Some(ErrorRecord::of(error)),
            },
            ScriptedReply::Stream { deltas, error } => Self {
                response: None,
                stream: Some(deltas.iter().map(DeltaRecord::of).collect()),
                error: error.as_ref().map(ErrorRecord::of),
            },
        }
    }

    fn into_reply(self) -> Result<ScriptedReply, String> {
        match (self.response, self.stream, self.error) {
            (Some(response), None, None) => Ok(ScriptedReply::Respond(response.into_response())),
            (None, Some(deltas), error) => Ok(ScriptedReply::Stream {
                deltas: deltas.into_iter().map(DeltaRecord::into_delta).collect(),
                error: error.map(ErrorRecord::into_error),
            }),
            (None, None, Some(error)) => Ok(ScriptedReply::Fail(error.into_error())),
            _ => Err(
                "its reply must be a `response`, a `stream` (with an `error` if one ended it) or an `error` alone"
                    .to_owned(),
            ),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tool_calls: Vec<ToolCall>,
    finish_reason: FinishReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    usage: Option<Usage>,
    /// The provider's id for the reply, and the model that wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    model: Option<String>,
}

impl ResponseRecord {
    fn of(response: &ChatResponse) -> Self {
        Self {
            content: response.content.clone(),
            tool_calls: response.tool_calls.clone(),
            finish_reason: response.finish_reason.clone(),
            usage: response.usage,
            id: response.id.clone(),
            model: response.model.clone(),
        }
    }

    fn into_response(self) -> ChatResponse {
        // Through the constructors: `ChatResponse` may gain fields, which a recording of
        // this version does not have.
        let mut response = ChatResponse::tool_calls(self.tool_calls);
        response.content = self.content;
        response.finish_reason = self.finish_reason;
        response.usage = self.usage;
        response.id = self.id;
        response.model = self.model;
        response
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum DeltaRecord {
    Text(String),
    ToolCall {
        index: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        arguments: String,
    },
    Usage(Usage),
    Finish(FinishReason),
    Metadata {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        model: Option<String>,
    },
}

impl DeltaRecord {
    fn of(delta: &ChatDelta) -> Self {
        match delta {
            ChatDelta::Text(text) => Self::Text(text.clone()),
            ChatDelta::ToolCall {
                index,
                id,
                name,
                arguments,
            } => Self::ToolCall {
                index: *index,
                id: id.clone(),
                name: name.clone(),
                arguments: arguments.clone(),
            },
            ChatDelta::Usage(usage) => Self::Usage(*usage),
            ChatDelta::Finish(reason) => Self::Finish(reason.clone()),
            ChatDelta::Metadata { id, model } => Self::Metadata {
                id: id.clone(),
                model: model.clone(),
            },
        }
    }

    fn into_delta(self) -> ChatDelta {
        match self {
            Self::Text(text) => ChatDelta::Text(text),
            Self::ToolCall {
                index,
                id,
                name,
                arguments,
            } => ChatDelta::ToolCall {
                index,
                id,
                name,
                arguments,
            },
            Self::Usage(usage) => ChatDelta::Usage(usage),
            Self::Finish(reason) => ChatDelta::Finish(reason),
            Self::Metadata { id, model } => ChatDelta::Metadata { id, model },
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum ErrorRecord {
    Status { status: u16, message: String },
    Transport { message: String },
    Protocol { message: String },
    InvalidRequest { message: String },
    Other { message: String },
}

impl ErrorRecord {
    fn of(error: &ModelError) -> Self {
        match error {
            ModelError::Status { status, message } => Self::Status {
                status: *status,
                message: message.clone(),
            },
            ModelError::Transport(message) => Self::Transport {
                message: message.clone(),
            },
            ModelError::Protocol(message) => Self::Protocol {
                message: message.clone(),
            },
            ModelError::InvalidRequest(message) => Self::InvalidRequest {
                message: message.clone(),
            },
            ModelError::Other(message) => Self::Other {
                message: message.clone(),
            },
        }
    }

    fn into_error(self) -> ModelError {
        match self {
            Self::Status { status, message } => ModelError::Status { status, message },
            Self::Transport { message } => ModelError::Transport(message),
            Self::Protocol { message } => ModelError::Protocol(message),
            Self::InvalidRequest { message } => ModelError::InvalidRequest(message),
            Self::Other { message } => ModelError::Other(message),
        }
    }
}

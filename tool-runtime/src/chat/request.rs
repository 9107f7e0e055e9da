//! What a model is asked.

use serde_json::{Map, Value};

use crate::chat::Message;
use crate::definition::ToolDefinition;
use crate::registry::ToolRegistry;

/// Which tool, if any, the model must call. In a run, a forced choice holds until the
/// model has made its calls, then is back to `Auto`, so the loop cannot spin.
///
/// ```
/// use std::sync::Arc;
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::{Message, RequestOptions, ToolChoice};
/// use tool_runtime::run::{Assistant, RunOptions, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Get the time.
/// #[tool]
/// fn get_time() -> &'static str { "12:00" }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(GetTime)?;
/// let model = Arc::new(ScriptedModel::new([
///     ScriptedReply::tool_calls([("get_time", "")]),
///     ScriptedReply::text("It is noon."),
/// ]));
/// let forced = RequestOptions::default().with_tool_choice(ToolChoice::Tool("get_time".into()));
/// let assistant = Assistant::from_shared(model.clone(), Arc::new(registry))
///     .with_options(RunOptions::default().with_request(forced));
/// let run = assistant.run(Thread::from(vec![Message::user("Time?")])).await;
///
/// assert_eq!(run.answer(), Some("It is noon."));
/// let choices: Vec<ToolChoice> = model.requests().into_iter().map(|request| request.tool_choice).collect();
/// assert_eq!(choices, [ToolChoice::Tool("get_time".into()), ToolChoice::Auto]);
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolChoice {
    /// The model decides.
    #[default]
    Auto,
    /// No tool calls.
    None,
    /// At least one tool call.
    Required,
    /// A call of this tool.
    Tool(String),
}

/// One request to a model: the thread so far and the tools it may call. It borrows both,
/// so asking costs no copy of a long thread.
///
/// ```
/// use tool_runtime::ToolRegistry;
/// use tool_runtime::chat::{ChatRequest, Message, RequestOptions, ToolChoice};
///
/// let thread = [Message::user("Hello")];
/// let registry = ToolRegistry::new();
/// let options = RequestOptions::default().with_max_tokens(200);
/// let request = ChatRequest::new(&thread).with_tools(&registry).with_options(options);
/// assert_eq!(request.options.tool_choice, ToolChoice::Auto);
/// assert_eq!(request.options.max_tokens, Some(200));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ChatRequest<'a> {
    /// The thread, oldest first.
    pub messages: &'a [Message],
    /// The tools the model may call; each client exports them in its provider's format.
    pub tools: Vec<&'a ToolDefinition>,
    /// How the model may answer: tool choice, parallel calls, length.
    pub options: RequestOptions,
}

impl<'a> ChatRequest<'a> {
    /// A request with the thread `messages`, no tools and default options.
    pub fn new(messages: &'a [Message]) -> Self {
        Self {
            messages,
            tools: Vec::new(),
            options: RequestOptions::default(),
        }
    }

    /// Offers every tool of `registry`.
    pub fn with_tools(mut self, registry: &'a ToolRegistry) -> Self {
        self.tools = registry.definitions().collect();
        self
    }

    /// Asks with `options`.
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }
}

/// How a model may answer one request, whatever the provider: which tool it must call,
/// whether it may call several at once, how long the reply may be, how it samples, the
/// shape of its answer, and fields of a provider's own. A [`ChatRequest`] carries one; an
/// assistant's [`RunOptions`](crate::run::RunOptions) carry the one every request of a
/// run starts from.
///
/// Each client sends each option under its provider's name, and refuses a request that
/// sets an option its provider does not have with
/// [`ModelError::InvalidRequest`](super::ModelError::InvalidRequest), before anything is
/// sent (docs/providers.md, "Request options"):
///
/// | option | Chat Completions | Responses | Anthropic Messages |
/// | --- | --- | --- | --- |
/// | `max_tokens` | `max_tokens` | `max_output_tokens` | `max_tokens` |
/// | `temperature` | `temperature` | `temperature` | `temperature` |
/// | `top_p` | `top_p` | `top_p` | `top_p` |
/// | `seed` | `seed` | refused | refused |
/// | `stop` | `stop` | refused | `stop_sequences` |
/// | `response_format` | `response_format` | `text.format` | `output_config.format` |
///
/// Unset options are not sent: the provider's defaults apply.
///
/// ```
/// use serde_json::json;
/// use tool_runtime::chat::{RequestOptions, ResponseFormat, ToolChoice};
///
/// let options = RequestOptions::default()
///     .with_max_tokens(200)
///     .with_parallel_tool_calls(false)
///     .with_temperature(0.0)
///     .with_seed(7)
///     .with_stop(["\n\n"])
///     .with_response_format(ResponseFormat::json_schema(
///         "city",
///         json!({"type": "object", "properties": {"name": {"type": "string"}},
///                "required": ["name"], "additionalProperties": false}),
///     ))
///     .with_extra_field("top_k", 20); // a field of llama.cpp's server, sent as is
/// assert_eq!(options.tool_choice, ToolChoice::Auto);
/// assert_eq!((options.max_tokens, options.parallel_tool_calls), (Some(200), Some(false)));
/// assert_eq!((options.temperature, options.seed), (Some(0.0), Some(7)));
/// assert_eq!(options.extra_body["top_k"], 20);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Which tool, if any, the model must call (default: the model decides).
    pub tool_choice: ToolChoice,
    /// Whether the model may make several calls in one reply (default `None`: the
    /// provider's default).
    pub parallel_tool_calls: Option<bool>,
    /// The most tokens the reply may have (default `None`: the provider's default, or
    /// the client's where the provider needs one).
    pub max_tokens: Option<u32>,
    /// The sampling temperature: 0 picks the likeliest token each time; higher is more
    /// varied (providers accept 0 to 2, Anthropic 0 to 1). Default `None`: the provider's.
    pub temperature: Option<f64>,
    /// Nucleus sampling: only the likeliest tokens whose probabilities add up to `top_p`
    /// are drawn from (0 to 1). Default `None`: the provider's. Providers advise setting
    /// this or `temperature`, not both.
    pub top_p: Option<f64>,
    /// A seed for sampling, so that repeated requests tend to give the same reply. Only
    /// Chat Completions has it. Default `None`.
    pub seed: Option<i64>,
    /// Sequences that end the reply where the model writes them (not included in it).
    /// Default empty: none.
    pub stop: Vec<String>,
    /// The JSON Schema the reply's text must follow (structured output). Default `None`:
    /// free text.
    pub response_format: Option<ResponseFormat>,
    /// Fields of a provider's own, added to the request's JSON body as they are (e.g.
    /// `top_k` for llama.cpp or Anthropic, `reasoning` for the Responses API,
    /// `max_completion_tokens` for OpenAI's reasoning models). They never replace what
    /// the client writes: a request with an extra field that the client writes itself
    /// (`model`, `messages`, `temperature`, ..., whether or not this request sets it) is
    /// refused with [`ModelError::InvalidRequest`](super::ModelError::InvalidRequest)
    /// before it is sent. Set those through the other options instead. Default empty.
    pub extra_body: Map<String, Value>,
}

impl RequestOptions {
    /// Sets which tool, if any, the model must call.
    pub fn with_tool_choice(mut self, choice: ToolChoice) -> Self {
        self.tool_choice = choice;
        self
    }

    /// Allows or forbids several calls in one reply.
    pub fn with_parallel_tool_calls(mut self, parallel: bool) -> Self {
        self.parallel_tool_calls = Some(parallel);
        self
    }

    /// Caps the reply's length.
    pub fn with_max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }

    /// Sets the sampling temperature (0: always the likeliest token). A number that is not
    /// finite is refused when the request is made.
    pub fn with_temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Sets nucleus sampling's `top_p`. A number that is not finite is refused when the
    /// request is made.
    pub fn with_top_p(mut self, top_p: f64) -> Self {
        self.top_p = Some(top_p);
        self
    }

    /// Sets the sampling seed (Chat Completions only).
    pub fn with_seed(mut self, seed: i64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Sets the sequences that end the reply, replacing any set before.
    pub fn with_stop<S: Into<String>>(mut self, stop: impl IntoIterator<Item = S>) -> Self {
        self.stop = stop.into_iter().map(Into::into).collect();
        self
    }

    /// Asks for a reply whose text follows a JSON Schema.
    pub fn with_response_format(mut self, format: ResponseFormat) -> Self {
        self.response_format = Some(format);
        self
    }

    /// Adds the field `key` with `value` to the request's JSON body, for a provider's own
    /// parameters (see [`extra_body`](Self::extra_body) for what is refused).
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::chat::RequestOptions;
    ///
    /// let options = RequestOptions::default()
    ///     .with_extra_field("top_k", 20)
    ///     .with_extra_field("reasoning", json!({"effort": "low"}));
    /// assert_eq!(serde_json::Value::Object(options.extra_body), json!({"top_k": 20, "reasoning": {"effort": "low"}}));
    /// ```
    pub fn with_extra_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra_body.insert(key.into(), value.into());
        self
    }
}

/// The JSON Schema a reply's text must follow: OpenAI's structured outputs, Anthropic's
/// JSON outputs. The reply is still text (`ChatResponse::content`); parse it with serde.
///
/// - `name` names the format (OpenAI requires one: letters, digits, `_` and `-`, at most
///   64); Anthropic has no name, and it is not sent there.
/// - `strict` (default `true`) asks OpenAI to enforce the schema exactly, which needs a
///   schema in its strict form (every property in `required`, `additionalProperties:
///   false` on every object). Anthropic always enforces the schema; it has no such switch.
///
/// ```
/// use serde_json::json;
/// use tool_runtime::chat::ResponseFormat;
///
/// let schema = json!({"type": "object", "properties": {"city": {"type": "string"}},
///                     "required": ["city"], "additionalProperties": false});
/// let format = ResponseFormat::json_schema("answer", schema.clone());
/// assert_eq!((format.name.as_str(), &format.schema, format.strict), ("answer", &schema, true));
/// assert!(!format.with_strict(false).strict);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseFormat {
    /// The format's name.
    pub name: String,
    /// The JSON Schema of the reply.
    pub schema: Value,
    /// Whether the provider must follow the schema exactly (OpenAI's `strict`).
    pub strict: bool,
}

impl ResponseFormat {
    /// A reply following `schema`, named `name`, strict.
    pub fn json_schema(name: impl Into<String>, schema: Value) -> Self {
        Self {
            name: name.into(),
            schema,
            strict: true,
        }
    }

    /// A reply that deserializes into `T`, named `name`: `T`'s JSON Schema (as it reads
    /// JSON, doc comments as descriptions), in OpenAI's strict form with `strict` when it
    /// has one (every property required, `Option` fields nullable, no other properties),
    /// otherwise in the plain form with `strict: false` (a map, for instance, has no
    /// strict form). Parse the reply's text with `serde_json::from_str::<T>`.
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::chat::ResponseFormat;
    ///
    /// /// A city.
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct City {
    ///     /// Its name.
    ///     name: String,
    ///     /// Its nickname, if it has one.
    ///     nickname: Option<String>,
    /// }
    ///
    /// let format = ResponseFormat::of::<City>("city");
    /// assert!(format.strict);
    /// assert_eq!(format.schema, json!({
    ///     "type": "object",
    ///     "description": "A city.",
    ///     "properties": {
    ///         "name": {"type": "string", "description": "Its name."},
    ///         "nickname": {"type": ["string", "null"], "description": "Its nickname, if it has one."}
    ///     },
    ///     "required": ["name", "nickname"],
    ///     "additionalProperties": false
    /// }));
    /// let city: City = serde_json::from_str(r#"{"name": "Paris", "nickname": null}"#).unwrap();
    /// assert_eq!(city.name, "Paris");
    /// ```
    pub fn of<T: schemars::JsonSchema>(name: impl Into<String>) -> Self {
        let mut generator = crate::schema::generator();
        let root = generator.root_schema_for::<T>().to_value();
        let defs = generator.take_definitions(true).into_iter().collect();
        let plain = crate::schema::plain_form(root, defs);
        match crate::schema::strict_form(&plain) {
            Ok(strict) => Self::json_schema(name, strict),
            Err(_) => Self::json_schema(name, plain).with_strict(false),
        }
    }

    /// Sets whether the provider must follow the schema exactly.
    pub fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn a_type_without_a_strict_form_is_sent_plain_and_not_strict() {
        /// Scores by player.
        #[derive(schemars::JsonSchema)]
        #[allow(dead_code)]
        struct Scores {
            /// Points per player.
            points: BTreeMap<String, u32>,
        }
        let format = ResponseFormat::of::<Scores>("scores");
        assert!(!format.strict);
        assert_eq!(
            format.schema,
            json!({
                "type": "object",
                "description": "Scores by player.",
                "properties": {"points": {"type": "object", "description": "Points per player.",
                    "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 4294967295u32}}},
                "required": ["points"],
                "additionalProperties": false
            })
        );
    }
}

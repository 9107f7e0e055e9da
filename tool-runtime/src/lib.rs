//! Turn documented Rust functions into LLM tools: `#[tool]` derives each function's JSON
//! definition and a typed dispatcher at compile time; [`ToolRegistry`] registers tools,
//! exports their definitions for a provider, and runs the model's tool calls.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use tool_runtime::{tool, ToolCall, ToolFormat, ToolRegistry};
//!
//! /// The temperature unit to use.
//! #[derive(Deserialize, schemars::JsonSchema)]
//! #[serde(rename_all = "lowercase")]
//! enum Unit { Celsius, Fahrenheit }
//!
//! #[derive(Serialize)]
//! struct Weather { location: String, temperature: i32 }
//!
//! /// Get the current weather in a given location.
//! ///
//! /// # Arguments
//! /// * `location` - The city and state, e.g. San Francisco, CA.
//! /// * `unit` - The temperature unit; Fahrenheit if omitted.
//! #[tool]
//! async fn get_current_weather(location: String, unit: Option<Unit>) -> Weather {
//!     let temperature = match unit { Some(Unit::Celsius) => 22, _ => 72 };
//!     Weather { location, temperature }
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let mut registry = ToolRegistry::new();
//! registry.register(GetCurrentWeather)?;
//!
//! // What the model is told: `registry.export(ToolFormat::OpenAiChat)`.
//! let tools = registry.export(ToolFormat::OpenAiChat);
//! assert_eq!(tools[0]["function"]["parameters"]["required"], serde_json::json!(["location", "unit"]));
//!
//! // What the model asks for, and what it gets back.
//! let call = ToolCall::new("call_1", "get_current_weather", r#"{"location": "Paris", "unit": "celsius"}"#);
//! let output = registry.dispatch(&call).await;
//! assert_eq!(output.content, r#"{"location":"Paris","temperature":22}"#);
//! # Ok::<(), tool_runtime::RegistryError>(())
//! # }).unwrap();
//! ```
//!
//! # Where things are
//!
//! The root holds what writing and registering tools takes. Everything else is in a
//! module per topic, each building only on those listed before it:
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`tool`](mod@tool) | the parts of a tool, for hand-written [`Tool`] impls: [`ToolInput`](tool::ToolInput), [`ToolFuture`](tool::ToolFuture), markers, state keys |
//! | [`schema`] | parameter schemas: [`ParametersBuilder`](schema::ParametersBuilder) |
//! | [`format`](mod@format) | what goes with a [`ToolFormat`]: schema forms, provider calls and outputs |
//! | [`validate`] | each provider's rules and limits: [`Validator`](validate::Validator) |
//! | [`snapshot`] | the drift check's errors and switch |
//! | [`live`] | a registry that changes while runs use it: [`LiveRegistry`](live::LiveRegistry) |
//! | [`chat`] | talking to a model: [`ChatModel`](chat::ChatModel), messages, requests, replies |
//! | [`testing`] | test doubles: [`ScriptedModel`](testing::ScriptedModel); recorded runs: [`Recorder`](testing::Recorder), [`Replay`](testing::Replay) |
//! | [`run`] | the assistant loop with the Assistants API's run lifecycle |
//! | [`sse`] | a server-sent events parser |
//! | `eval` | how well a model calls your tools: suites, a runner, reports, comparisons, thresholds (feature `eval`) |
//! | `transport` | the provider clients' shared settings (feature `openai` or `anthropic`) |
//! | `openai`, `anthropic` | provider clients (features `openai`, `anthropic`) |
//! | `mcp` | an MCP server for any registry (feature `mcp`) |
//! | `mcp_client` | MCP servers' tools as run-time tools (feature `mcp-client`) |
//! | `server` | the OpenAI Assistants v2 API served over HTTP, on a SQLite store (feature `server`) |
//!
//! The options of `#[tool]` and `#[tools]` are on their pages: [`tool`](macro@tool),
//! [`tools`](macro@tools).

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the crate's own unit tests use `#[tool]`, whose expansion names `::tool_runtime`.
#[cfg(test)]
extern crate self as tool_runtime;

// The modules, in layers: each uses only those above it (tests/layers.rs keeps it so).
mod call;
mod context;
mod json;
pub mod sse;
pub mod schema;
mod definition;
pub mod tool;
pub mod format;
pub mod validate;
pub mod snapshot;
mod registry;
pub mod live;
pub mod chat;
pub mod testing;
pub mod run;
#[cfg(feature = "eval")]
#[cfg_attr(docsrs, doc(cfg(feature = "eval")))]
pub mod eval;
#[cfg(any(feature = "openai", feature = "anthropic"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "openai", feature = "anthropic"))))]
pub mod transport;
#[cfg(feature = "openai")]
#[cfg_attr(docsrs, doc(cfg(feature = "openai")))]
pub mod openai;
#[cfg(feature = "anthropic")]
#[cfg_attr(docsrs, doc(cfg(feature = "anthropic")))]
pub mod anthropic;
#[cfg(any(feature = "mcp", feature = "server"))]
mod http;
#[cfg(feature = "mcp")]
#[cfg_attr(docsrs, doc(cfg(feature = "mcp")))]
pub mod mcp;
#[cfg(feature = "mcp-client")]
#[cfg_attr(docsrs, doc(cfg(feature = "mcp-client")))]
pub mod mcp_client;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use call::{CallRef, ToolCall, ToolOutput};
pub use context::{CallContext, State};
pub use definition::ToolDefinition;
pub use format::tool_format::ToolFormat;
pub use json::Json;
pub use registry::{Dispatch, RegistryError, ToolRegistry};
pub use tool::contract::Tool;
pub use tool::error::ToolError;
pub use tool::set::ToolSet;

pub use tool_macro::tool;
pub use tool_macro::tools;

// What is meant to cross tasks and threads says so at compile time: a field that is not
// `Send + Sync` fails the build here, not in a user's `tokio::spawn`.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<ToolRegistry>();
    send_sync::<live::LiveRegistry>();
    #[cfg(feature = "runtime-tools")]
    send_sync::<tool::RuntimeTool>();
    send_sync::<ToolDefinition>();
    send_sync::<ToolCall>();
    send_sync::<ToolOutput>();
    send_sync::<run::Assistant>();
    send_sync::<run::Run>();
    send_sync::<run::Thread>();
    send_sync::<run::CancelHandle>();
    send_sync::<testing::ScriptedModel>();
    send_sync::<testing::Recorder>();
    send_sync::<testing::Replay>();
    #[cfg(any(feature = "openai", feature = "anthropic"))]
    send_sync::<transport::ClientConfig>();
    #[cfg(feature = "openai")]
    send_sync::<openai::OpenAiClient>();
    #[cfg(feature = "openai")]
    send_sync::<openai::ResponsesClient>();
    #[cfg(feature = "anthropic")]
    send_sync::<anthropic::AnthropicClient>();
    #[cfg(feature = "mcp")]
    send_sync::<mcp::McpServer>();
    #[cfg(feature = "mcp-client")]
    send_sync::<mcp_client::McpTools>();
    #[cfg(feature = "server")]
    send_sync::<server::AssistantsServer>();
};

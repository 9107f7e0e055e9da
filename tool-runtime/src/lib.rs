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
//! See the README for the attribute's options and the rules its schemas follow.

#![warn(missing_docs)]

// Lets the crate's own doctests and tests use `#[tool]`, whose expansion names `::tool_runtime`.
extern crate self as tool_runtime;

#[cfg(feature = "anthropic")]
pub mod anthropic;
mod args;
mod call;
mod chat;
mod context;
mod definition;
mod dispatch;
mod error;
mod format;
#[cfg(any(feature = "openai", feature = "anthropic"))]
mod http;
mod json;
#[cfg(feature = "mcp")]
pub mod mcp;
#[cfg(feature = "openai")]
pub mod openai;
mod output;
mod registry;
mod run;
mod schema;
mod snapshot;
pub mod sse;
mod tool;
mod toolset;
mod validate;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use call::{ToolCall, ToolOutput};
pub use chat::{
    calls_in_text, read_text_tool_calls, ChatDelta, ChatModel, ChatRequest, ChatResponse,
    FinishReason, Message, ModelError, RecordedRequest, ResponseBuilder, ScriptedModel,
    ScriptedReply, ToolChoice, Usage,
};
pub use context::{CallContext, State, StateKey, StateMap};
pub use definition::{Strictness, ToolDefinition, ToolMarkers};
pub use dispatch::Dispatch;
pub use error::RegistryError;
pub use format::{CallFormatError, SchemaForm, ToolFormat, UnknownFormat};
pub use json::Json;
pub use registry::{OnViolation, ToolRegistry};
pub use run::{
    Assistant, CancelHandle, Decision, Mode, PendingCall, Run, RunError, RunEvent, RunOptions,
    RunStatus, RunStep, SubmitError, Thread,
};
pub use schema::ParametersBuilder;
pub use snapshot::{SnapshotError, UPDATE_SNAPSHOTS};
pub use tool::{Tool, ToolError, ToolFuture, ToolInput};
pub use toolset::{ToolBatch, ToolSet};
pub use validate::{Limits, ValidationError, Validator, Violation};

/// The boxed future and stream [`ChatModel`] returns.
pub use futures_util::{future::BoxFuture, stream::BoxStream};

/// Makes a documented function a tool. See the crate documentation and the README.
pub use tool_macro::tool;
/// Makes the `#[tool]` methods (`&self`) of an impl block tools sharing one value,
/// registered with [`ToolRegistry::register_all`]. See [`ToolSet`] and the README.
pub use tool_macro::tools;

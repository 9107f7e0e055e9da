//! An Anthropic Messages API client. Behind the `anthropic` feature.
//!
//! [`AnthropicClient`] is a [`ChatModel`](crate::chat::ChatModel): whole replies and SSE
//! streams, tool calls as `tool_use` blocks and their outputs as `tool_result` blocks,
//! retries with backoff (Anthropic's `529` overloaded included) and timeouts. The
//! [`StreamDecoder`] it reads streams with is public for those who bring their own
//! transport.
//!
//! ```no_run
//! use tool_runtime::chat::StreamExt;
//! use tool_runtime::anthropic::AnthropicClient;
//! use tool_runtime::chat::{ChatDelta, ChatModel, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let model = AnthropicClient::from_env()?;
//! let thread = [Message::system("Be brief."), Message::user("Write a haiku about Rust.")];
//! let mut stream = model.stream(ChatRequest::new(&thread));
//! while let Some(delta) = stream.next().await {
//!     if let ChatDelta::Text(text) = delta? {
//!         print!("{text}");
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod client;
mod stream;
mod wire;

pub use client::{AnthropicClient, ConfigError, API_VERSION, DEFAULT_BASE_URL, DEFAULT_MAX_TOKENS};
pub use stream::StreamDecoder;

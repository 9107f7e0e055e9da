//! OpenAI clients: Chat Completions for any compatible endpoint (OpenAI, Ollama, vLLM,
//! llama.cpp's server), and the Responses API. Behind the `openai` feature.
//!
//! [`OpenAiClient`] (Chat Completions) and [`ResponsesClient`] (Responses) are
//! [`ChatModel`](crate::chat::ChatModel)s, configured alike: whole replies and SSE streams,
//! retries with backoff, timeouts, and the strict or plain schema form chosen by endpoint.
//! The Chat Completions client's stream reader, [`StreamDecoder`], is public for those who
//! bring their own transport (with [`SseParser`](crate::sse::SseParser)).
//!
//! ```no_run
//! use tool_runtime::chat::StreamExt;
//! use tool_runtime::openai::OpenAiClient;
//! use tool_runtime::chat::{ChatDelta, ChatModel, ChatRequest, Message};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let model = OpenAiClient::from_env()?;
//! let thread = [Message::user("Write a haiku about Rust.")];
//! let mut stream = model.stream(ChatRequest::new(&thread));
//! while let Some(delta) = stream.next().await {
//!     if let ChatDelta::Text(text) = delta? {
//!         print!("{text}");
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod api;
mod base;
mod client;
mod env;
mod responses;
mod stream;
mod wire;

pub use client::OpenAiClient;
pub use env::{ConfigError, DEFAULT_BASE_URL, DEFAULT_OPENAI_MODEL};
pub use responses::{ResponsesClient, ResponsesStreamDecoder};
pub use stream::StreamDecoder;

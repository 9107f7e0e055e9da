//! The Responses API: its client (`client.rs`), its wire format (`wire.rs`) and its
//! stream's events (`stream.rs`), laid out as the Chat Completions client's are.

mod client;
mod stream;
mod wire;

pub use client::ResponsesClient;

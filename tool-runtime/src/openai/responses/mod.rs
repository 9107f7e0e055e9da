//! The Responses API: its client (`client.rs`), its wire format (`wire.rs`), its
//! stream's events (`stream.rs`) and their public decoder (`decoder.rs`), laid out as the
//! Chat Completions client's are.

mod client;
mod decoder;
mod stream;
mod wire;

pub use client::ResponsesClient;
pub use decoder::ResponsesStreamDecoder;

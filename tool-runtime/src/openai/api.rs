//! How a client speaks one of OpenAI's APIs: the path, the body, the whole reply and the
//! stream's events. Chat Completions (`wire.rs`) and Responses (`responses/`) each
//! implement it; the shared client core (`base.rs`) is generic over it.

use serde_json::Value;

use crate::chat::{ChatRequest, ChatResponse, ModelError};
use crate::format::SchemaForm;
use crate::transport::EventReader;

/// One of OpenAI's APIs, as a client speaks it.
pub(super) trait Api {
    /// The path appended to the base URL: `/chat/completions`.
    const PATH: &'static str;
    /// A stream's events, read into deltas.
    type Events: EventReader + Default + Send + 'static;
    /// The JSON body asking `request` of `model`, tools in `form`; an error when the
    /// request cannot be sent in this API (nothing is sent then).
    fn body(
        request: &ChatRequest<'_>,
        model: &str,
        form: SchemaForm,
        stream: bool,
    ) -> Result<Value, ModelError>;
    /// A whole reply.
    fn parse(body: &[u8]) -> Result<ChatResponse, ModelError>;
}

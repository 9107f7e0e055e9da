//! What the two OpenAI clients share beyond their configuration: the endpoint, the
//! transport, the choices made by endpoint, and asking in an [`Api`]'s wire format.

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};

use super::api::Api;
use super::env::OPENAI_HOST;
use super::wire;
use crate::chat::{ChatDelta, ChatRequest, ChatResponse, ModelError};
use crate::format::SchemaForm;
use crate::transport::{ClientConfig, Request, Transport};

/// What both clients call their provider in traces (`gen_ai.provider.name`), whichever
/// server they talk to: the spans describe the OpenAI API's exchanges.
pub(super) const PROVIDER: &str = "openai";

/// A configured OpenAI client, whichever API it speaks.
#[derive(Clone)]
pub(super) struct Base {
    pub(super) config: ClientConfig,
    transport: Transport,
    endpoint: String,
}

impl Base {
    /// A client of `config`'s endpoint, asking at `base_url + A::PATH`.
    pub(super) fn new<A: Api>(config: ClientConfig) -> Self {
        Self {
            transport: Transport::new(wire::DIALECT, &config),
            endpoint: format!("{}{}", config.base_url(), A::PATH),
            config,
        }
    }

    /// The URL requests go to.
    #[cfg(test)]
    pub(super) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The client's `Debug`: its configuration (the key redacted), where it asks, and the
    /// choices in effect.
    pub(super) fn debug(&self, client: &str, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(client)
            .field("config", &self.config)
            .field("endpoint", &self.endpoint)
            .field("schema_form", &self.schema_form())
            .field("text_tool_calls", &self.reads_text_tool_calls())
            .finish()
    }

    /// As set, or by endpoint: strict for OpenAI's API, plain elsewhere.
    pub(super) fn schema_form(&self) -> SchemaForm {
        self.config
            .schema_form()
            .unwrap_or(if self.config.is_host(OPENAI_HOST) {
                SchemaForm::Declared
            } else {
                SchemaForm::Plain
            })
    }

    /// As set, or by endpoint: not for OpenAI's API, yes elsewhere.
    pub(super) fn reads_text_tool_calls(&self) -> bool {
        self.config
            .text_tool_calls()
            .unwrap_or(!self.config.is_host(OPENAI_HOST))
    }

    /// The whole reply to `request`, in `A`'s wire format.
    pub(super) fn complete<'a, A: Api>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        let http = match self.request::<A>(&request, false) {
            Ok(http) => http,
            Err(error) => return Box::pin(async move { Err(error) }),
        };
        let tools = self.text_call_tools(&request);
        Box::pin(async move {
            let reply = self.transport.complete(&http, A::parse).await?;
            Ok(match tools {
                Some(tools) => reply.with_text_tool_calls(&tools),
                None => reply,
            })
        })
    }

    /// The reply to `request` as it streams, in `A`'s wire format.
    pub(super) fn stream<'a, A: Api>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        let http = match self.request::<A>(&request, true) {
            Ok(http) => http,
            Err(error) => return stream::once(async move { Err(error) }).boxed(),
        };
        let deltas = self.transport.stream::<A::Events>(http, A::parse);
        match self.text_call_tools(&request) {
            Some(tools) => crate::chat::read_text_tool_calls(deltas, tools),
            None => deltas,
        }
    }

    /// The HTTP request for `request`, or why it cannot be sent.
    fn request<A: Api>(
        &self,
        request: &ChatRequest<'_>,
        stream: bool,
    ) -> Result<Request<'_>, ModelError> {
        let body = A::body(request, self.config.model(), self.schema_form(), stream)?;
        let http = Request::post(&self.endpoint, body.to_string().into_bytes());
        Ok(match self.config.api_key() {
            Some(key) => http.bearer(key),
            None => http,
        })
    }

    /// The offered tools' names, when replies that are calls written as text are read.
    fn text_call_tools(&self, request: &ChatRequest<'_>) -> Option<Vec<String>> {
        (self.reads_text_tool_calls() && !request.tools.is_empty()).then(|| {
            request
                .tools
                .iter()
                .map(|tool| tool.name().to_owned())
                .collect()
        })
    }
}

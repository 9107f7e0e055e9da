//! Call ids in the Assistants API's shape.
//!
//! The API's tool call ids start `call_`, and clients written for it may rely on that (they
//! store them, log them, match on them). OpenAI's chat models give such ids already; other
//! OpenAI-compatible servers (llama.cpp's among them) give bare random strings. The server
//! asks its model through this wrapper, which prefixes an id that lacks `call_` where the
//! reply comes in, so the run, its steps, the stream and the thread sent back upstream all
//! carry the same id: no table maps one to the other, and a restart loses nothing.

use std::sync::Arc;

use futures_util::StreamExt;

use crate::chat::{
    BoxFuture, BoxStream, ChatDelta, ChatModel, ChatRequest, ChatResponse, ModelError,
};

/// The server's model, whose replies' call ids start `call_`.
pub(crate) struct CallIds(pub(crate) Arc<dyn ChatModel>);

/// `id` as the Assistants API writes call ids. An empty id stays empty: the loop gives
/// the call one of its own (already `call_...`) when it reassembles the reply.
fn prefixed(id: String) -> String {
    if id.is_empty() || id.starts_with("call_") {
        id
    } else {
        format!("call_{id}")
    }
}

impl ChatModel for CallIds {
    fn complete<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        Box::pin(async move {
            let mut reply = self.0.complete(request).await?;
            for call in &mut reply.tool_calls {
                call.id = prefixed(std::mem::take(&mut call.id));
            }
            Ok(reply)
        })
    }

    fn stream<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        self.0
            .stream(request)
            .map(|delta| match delta {
                Ok(ChatDelta::ToolCall {
                    index,
                    id,
                    name,
                    arguments,
                }) => Ok(ChatDelta::ToolCall {
                    index,
                    id: id.map(prefixed),
                    name,
                    arguments,
                }),
                other => other,
            })
            .boxed()
    }

    fn provider(&self) -> Option<&str> {
        self.0.provider()
    }

    fn model(&self) -> Option<&str> {
        self.0.model()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::Message;
    use crate::testing::{ScriptedModel, ScriptedReply};
    use crate::ToolCall;

    #[tokio::test]
    async fn bare_ids_get_the_prefix_and_api_ids_are_kept() {
        let reply = ChatResponse::tool_calls(vec![
            ToolCall::new("x7Yq2", "get_weather", "{}"),
            ToolCall::new("call_abc", "get_nickname", "{}"),
        ]);
        let model = CallIds(Arc::new(ScriptedModel::new([
            ScriptedReply::from(reply.clone()),
            ScriptedReply::from(reply),
        ])));
        let thread = [Message::user("Weather?")];

        let whole = model
            .complete(ChatRequest::new(&thread))
            .await
            .expect("a reply");
        let ids: Vec<_> = whole
            .tool_calls
            .iter()
            .map(|call| call.id.as_str())
            .collect();
        assert_eq!(ids, ["call_x7Yq2", "call_abc"]);

        let streamed: Vec<_> = model
            .stream(ChatRequest::new(&thread))
            .filter_map(|delta| async move {
                match delta {
                    Ok(ChatDelta::ToolCall { id: Some(id), .. }) => Some(id),
                    _ => None,
                }
            })
            .collect()
            .await;
        assert_eq!(streamed, ["call_x7Yq2", "call_abc"]);
    }
}

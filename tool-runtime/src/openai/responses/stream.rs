//! A streamed response: the Responses API's named events in, [`ChatDelta`]s out.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::wire::{failure, message_text, output_deltas, stated_finish, usage_of};
use crate::chat::{ChatDelta, FinishReason, ModelError};
use crate::openai::wire::{arguments_text, non_empty};
use crate::sse::SseEvent;
use crate::transport::{excerpt, metadata_of, EventReader};

/// What has come of one function call so far.
#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    /// Its id and name went out.
    named: bool,
    /// Some of its arguments went out.
    arguments: bool,
}

/// Reads the events of a streamed response. A call is numbered by its `output_index`: its
/// `response.output_item.added` gives the id (`call_id`) and name, then
/// `response.function_call_arguments.delta` events add to its arguments, interleaved with
/// other calls' as they may be. What only the `.done` events or `response.output_item.done`
/// carry (a server that sends whole items), and the output of `response.completed` when
/// nothing streamed before it, is read too. `response.completed` or `response.incomplete`
/// closes the reply with its usage and finish reason; `response.failed` and `error` end it
/// with the provider's message. Other events are ignored.
#[derive(Debug, Default)]
pub(crate) struct ResponseEvents {
    calls: BTreeMap<usize, Seen>,
    /// The output items whose text streamed.
    texts: BTreeSet<usize>,
    /// The call the last call event was about (for events without an `output_index`).
    last_call: Option<usize>,
    /// The response's id and model went out.
    identified: bool,
    done: bool,
}

impl EventReader for ResponseEvents {
    fn event(&mut self, event: SseEvent, deltas: &mut Vec<ChatDelta>) -> Result<(), ModelError> {
        let data = event.data.trim();
        // `[DONE]` is not part of this API, but a compatible server may end with it.
        if data.is_empty() || data == "[DONE]" {
            return Ok(());
        }
        let value: Value = serde_json::from_str(data).map_err(|error| {
            ModelError::Protocol(format!(
                "a stream event is not JSON ({error}): {}",
                excerpt(data.as_bytes())
            ))
        })?;
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .or(event.event.as_deref())
            .unwrap_or_default();
        let index = value
            .get("output_index")
            .and_then(Value::as_u64)
            .and_then(|index| usize::try_from(index).ok());
        let item = value.get("item").unwrap_or(&Value::Null);
        // `response.created` names the response; a server that skips it names it on the
        // `response.completed` that closes it.
        if !self.identified {
            if let Some(metadata) = value.get("response").and_then(metadata_of) {
                self.identified = true;
                deltas.push(metadata);
            }
        }
        match kind {
            "response.output_item.added" => self.item(index, item, false, deltas),
            "response.output_item.done" => self.item(index, item, true, deltas),
            "response.function_call_arguments.delta" => {
                let call = self.call_index(index);
                self.arguments(call, arguments_text(value.get("delta")), deltas);
            }
            "response.function_call_arguments.done" => {
                let call = self.call_index(index);
                if !self.calls.get(&call).is_some_and(|seen| seen.arguments) {
                    self.arguments(call, arguments_text(value.get("arguments")), deltas);
                }
            }
            "response.output_text.delta" | "response.refusal.delta" => {
                if let Some(text) = non_empty(value.get("delta")) {
                    self.texts.insert(index.unwrap_or_default());
                    deltas.push(ChatDelta::Text(text));
                }
            }
            "response.completed" | "response.incomplete" => {
                self.close(value.get("response").unwrap_or(&Value::Null), deltas);
            }
            "response.failed" => {
                let response = value.get("response").unwrap_or(&Value::Null);
                return Err(failure(response).unwrap_or_else(|| {
                    ModelError::Other("the response failed: no message".into())
                }));
            }
            "error" => {
                let error = value.get("error").unwrap_or(&value);
                let message = non_empty(error.get("message")).unwrap_or_else(|| value.to_string());
                return Err(ModelError::Other(format!(
                    "the endpoint reported an error mid-stream: {message}"
                )));
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, _deltas: &mut Vec<ChatDelta>) -> Result<(), ModelError> {
        Err(ModelError::Protocol(
            "the stream ended before the reply was complete".into(),
        ))
    }

    fn is_done(&self) -> bool {
        self.done
    }
}

impl ResponseEvents {
    /// An output item, as it starts or once it is whole: a call's id and name (and its
    /// arguments, if none streamed), or a message's text, if none streamed.
    fn item(
        &mut self,
        index: Option<usize>,
        item: &Value,
        whole: bool,
        deltas: &mut Vec<ChatDelta>,
    ) {
        match item.get("type").and_then(Value::as_str) {
            Some("function_call") => {
                // Without an `output_index`, a new item is the next call, a whole one the
                // last call seen.
                let index = index
                    .or(self.last_call.filter(|_| whole))
                    .unwrap_or_else(|| self.next_call_index());
                self.last_call = Some(index);
                let seen = self.calls.entry(index).or_default();
                let (id, name) = match seen.named {
                    true => (None, None),
                    false => (non_empty(item.get("call_id")), non_empty(item.get("name"))),
                };
                // Arguments on the `added` item are the first of them; on the `done` item,
                // all of them, wanted only if none streamed.
                let arguments = match seen.arguments {
                    true => String::new(),
                    false => arguments_text(item.get("arguments")),
                };
                let announces = !seen.named;
                seen.named = true;
                seen.arguments |= !arguments.is_empty();
                if announces || !arguments.is_empty() {
                    deltas.push(ChatDelta::ToolCall {
                        index,
                        id,
                        name,
                        arguments,
                    });
                }
            }
            Some("message") if whole => {
                let index = index.unwrap_or_default();
                if self.texts.insert(index) {
                    deltas.extend(message_text(item).map(ChatDelta::Text));
                }
            }
            _ => {}
        }
    }

    /// More arguments of call `index`.
    fn arguments(&mut self, index: usize, arguments: String, deltas: &mut Vec<ChatDelta>) {
        if arguments.is_empty() {
            return;
        }
        self.calls.entry(index).or_default().arguments = true;
        deltas.push(ChatDelta::ToolCall {
            index,
            id: None,
            name: None,
            arguments,
        });
    }

    /// The call an event is about: its `output_index`, or else the last call.
    fn call_index(&mut self, index: Option<usize>) -> usize {
        let index = index.or(self.last_call).unwrap_or_default();
        self.last_call = Some(index);
        index
    }

    /// The index after every call's, for a call item without an `output_index`.
    fn next_call_index(&self) -> usize {
        self.calls
            .keys()
            .next_back()
            .map_or(0, |index| index.saturating_add(1))
    }

    /// The response is complete: its output if nothing streamed, its usage, why it ended.
    fn close(&mut self, response: &Value, deltas: &mut Vec<ChatDelta>) {
        self.done = true;
        if self.calls.is_empty() && self.texts.is_empty() {
            let output = response.get("output").and_then(Value::as_array);
            let start = deltas.len();
            output_deltas(output.map_or(&[], Vec::as_slice), deltas);
            for delta in &deltas[start..] {
                if let ChatDelta::ToolCall { index, .. } = delta {
                    self.calls.insert(*index, Seen::default());
                }
            }
        }
        if let Some(usage) = usage_of(response) {
            deltas.push(ChatDelta::Usage(usage));
        }
        let reason = FinishReason::of_reply(stated_finish(response), !self.calls.is_empty());
        deltas.push(ChatDelta::Finish(reason));
    }
}

//! What a model answers: whole, or as a stream of deltas and the builder that puts them
//! back together.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::call::{fresh_call_id, ToolCall};

use super::Message;

/// Why the model stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// It said what it had to say.
    #[default]
    Stop,
    /// It made tool calls and waits for their outputs.
    ToolCalls,
    /// It ran out of tokens.
    Length,
    /// The provider withheld the rest.
    ContentFilter,
    /// Anything else the provider said, as it said it.
    #[serde(untagged)]
    Other(String),
}

impl FinishReason {
    /// Why a reply finished, given the reason its provider stated (if any) and whether it
    /// has tool calls: a reply with calls waits for their outputs whatever the provider
    /// says (OpenAI answers `stop` when `tool_choice` forced the call, and some local
    /// servers always do), unless it was cut short (`length`...).
    pub fn of_reply(stated: Option<FinishReason>, has_calls: bool) -> Self {
        match stated {
            Some(FinishReason::Stop) | None if has_calls => FinishReason::ToolCalls,
            Some(reason) => reason,
            None => FinishReason::Stop,
        }
    }

    /// The reason as a provider names it (`"stop"`, `"tool_calls"`...).
    pub fn parse(text: &str) -> Self {
        match text {
            "stop" | "end_turn" => Self::Stop,
            "tool_calls" | "tool_use" | "function_call" => Self::ToolCalls,
            "length" | "max_tokens" => Self::Length,
            "content_filter" => Self::ContentFilter,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// Tokens a request used. The counts come from the network: adding them saturates at
/// `u64::MAX` rather than overflow (a server cannot crash or wrap a run's total).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens read.
    pub prompt_tokens: u64,
    /// Tokens written.
    pub completion_tokens: u64,
}

impl Usage {
    /// Both together (at most `u64::MAX`).
    pub fn total(&self) -> u64 {
        self.prompt_tokens.saturating_add(self.completion_tokens)
    }
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, other: Self) {
        // Saturating: the counts are a server's, and any number may come.
        self.prompt_tokens = self.prompt_tokens.saturating_add(other.prompt_tokens);
        self.completion_tokens = self
            .completion_tokens
            .saturating_add(other.completion_tokens);
    }
}

/// A model's whole reply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChatResponse {
    /// Its text, if any.
    pub content: Option<String>,
    /// Its tool calls, in order.
    pub tool_calls: Vec<ToolCall>,
    /// Why it stopped.
    pub finish_reason: FinishReason,
    /// Tokens used, when the provider says.
    pub usage: Option<Usage>,
    /// The provider's id for this reply (`chatcmpl-...`, `msg_...`, `resp_...`), when it
    /// gives one: what to quote to the provider about it, and what traces show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The model that wrote the reply, as the provider names it (it may be more precise
    /// than the one asked for: `gpt-4o-mini-2024-07-18` for `gpt-4o-mini`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

impl ChatResponse {
    /// A text reply.
    pub fn text(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            ..Self::default()
        }
    }

    /// A reply of tool calls.
    pub fn tool_calls(tool_calls: Vec<ToolCall>) -> Self {
        Self {
            tool_calls,
            finish_reason: FinishReason::ToolCalls,
            ..Self::default()
        }
    }

    /// Sets the usage.
    pub fn with_usage(mut self, usage: Usage) -> Self {
        self.usage = Some(usage);
        self
    }

    /// Sets the provider's id for the reply.
    ///
    /// ```
    /// use tool_runtime::chat::ChatResponse;
    ///
    /// let reply = ChatResponse::text("Hi").with_id("chatcmpl-1").with_model("gpt-4o-mini-2024-07-18");
    /// assert_eq!(reply.id.as_deref(), Some("chatcmpl-1"));
    /// assert_eq!(reply.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    /// ```
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the model that wrote the reply.
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// The reply as the deltas that would have streamed it, for models that do not stream.
    pub fn into_deltas(self) -> Vec<ChatDelta> {
        let mut deltas = Vec::new();
        if self.id.is_some() || self.model.is_some() {
            deltas.push(ChatDelta::Metadata {
                id: self.id,
                model: self.model,
            });
        }
        if let Some(text) = self.content {
            deltas.push(ChatDelta::Text(text));
        }
        for (index, call) in self.tool_calls.into_iter().enumerate() {
            deltas.push(ChatDelta::ToolCall {
                index,
                id: Some(call.id),
                name: Some(call.name),
                arguments: call.arguments,
            });
        }
        if let Some(usage) = self.usage {
            deltas.push(ChatDelta::Usage(usage));
        }
        deltas.push(ChatDelta::Finish(self.finish_reason));
        deltas
    }

    /// The reply as the thread's next message.
    pub fn to_message(&self) -> Message {
        Message::Assistant {
            content: self.content.clone(),
            tool_calls: self.tool_calls.clone(),
        }
    }
}

/// A piece of a reply as it is generated.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChatDelta {
    /// A piece of the text.
    Text(String),
    /// A piece of the tool call at `index` (the provider's numbering within the reply).
    /// The first piece of a call carries its name and, when the provider sends one, its
    /// id; later pieces add to its arguments.
    ToolCall {
        /// Which call of the reply.
        index: usize,
        /// The call's id, on the piece that has it.
        id: Option<String>,
        /// The tool's name, on the piece that has it.
        name: Option<String>,
        /// More of the arguments' JSON text.
        arguments: String,
    },
    /// Tokens used.
    Usage(Usage),
    /// The reply is complete.
    Finish(FinishReason),
    /// Which reply this is: the provider's id for it and the model that writes it, as far
    /// as the provider says (providers send them first, before any text). Not content: a
    /// stream that has sent only this may still be retried.
    Metadata {
        /// The provider's id for the reply.
        id: Option<String>,
        /// The model that writes it.
        model: Option<String>,
    },
}

/// Puts a reply back together from its deltas, whatever order the pieces of parallel calls
/// come in, and whatever a provider leaves out.
///
/// ```
/// use tool_runtime::chat::{ChatDelta, FinishReason, ResponseBuilder};
///
/// let mut builder = ResponseBuilder::default();
/// for delta in [
///     ChatDelta::ToolCall { index: 0, id: Some("a".into()), name: Some("add".into()), arguments: "{\"a\":".into() },
///     ChatDelta::ToolCall { index: 1, id: Some("b".into()), name: Some("ping".into()), arguments: String::new() },
///     ChatDelta::ToolCall { index: 0, id: None, name: None, arguments: " 1}".into() },
///     ChatDelta::Finish(FinishReason::ToolCalls),
/// ] {
///     builder.push(delta);
/// }
/// let response = builder.finish();
/// assert_eq!(response.tool_calls[0].arguments, r#"{"a": 1}"#);
/// assert_eq!(response.tool_calls[1].arguments, "{}"); // no arguments at all means none
/// ```
#[derive(Debug, Default)]
pub struct ResponseBuilder {
    text: Option<String>,
    calls: BTreeMap<usize, ToolCall>,
    finish_reason: Option<FinishReason>,
    usage: Option<Usage>,
    id: Option<String>,
    model: Option<String>,
}

impl ResponseBuilder {
    /// Adds a delta. A call's id is the one on its first piece (or one made here when the
    /// provider sends none); ids on later pieces are ignored. Returns whether it started a
    /// new tool call (for events that announce
    /// a call, with its id and name, before any of its arguments).
    pub fn push(&mut self, delta: ChatDelta) -> bool {
        match delta {
            ChatDelta::Text(text) => {
                self.text.get_or_insert_with(String::new).push_str(&text);
                false
            }
            ChatDelta::ToolCall {
                index,
                id,
                name,
                arguments,
            } => {
                let started = !self.calls.contains_key(&index);
                // A call gets its id when it starts, from the provider or made here, and
                // keeps it: events about the call all name the same id.
                let call = self.calls.entry(index).or_insert_with(|| {
                    let id = id.filter(|id| !id.is_empty()).unwrap_or_else(fresh_call_id);
                    ToolCall::new(id, "", "")
                });
                if let Some(name) = name {
                    call.name.push_str(&name);
                }
                call.arguments.push_str(&arguments);
                started
            }
            ChatDelta::Usage(usage) => {
                *self.usage.get_or_insert_with(Usage::default) += usage;
                false
            }
            ChatDelta::Finish(reason) => {
                self.finish_reason = Some(reason);
                false
            }
            // The latest says: a stream retried from the start names its new reply.
            ChatDelta::Metadata { id, model } => {
                self.id = id.or(self.id.take());
                self.model = model.or(self.model.take());
                false
            }
        }
    }

    /// The tool call at `index` so far.
    pub fn tool_call(&self, index: usize) -> Option<&ToolCall> {
        self.calls.get(&index)
    }

    /// The reply. Calls without arguments get `{}`; a reply with calls finished for tool
    /// calls unless it says otherwise (`length`...).
    pub fn finish(self) -> ChatResponse {
        let mut seen = std::collections::HashSet::new();
        let tool_calls: Vec<ToolCall> = self
            .calls
            .into_values()
            .map(|mut call| {
                // Outputs are matched to calls by id: a repeated id gets a fresh one.
                if !seen.insert(call.id.clone()) {
                    call.id = fresh_call_id();
                }
                if call.arguments.trim().is_empty() {
                    call.arguments = "{}".to_owned();
                }
                call
            })
            .collect();
        let finish_reason = FinishReason::of_reply(self.finish_reason, !tool_calls.is_empty());
        ChatResponse {
            content: self.text,
            tool_calls,
            finish_reason,
            usage: self.usage,
            id: self.id,
            model: self.model,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaved_parallel_calls_and_missing_ids() {
        let mut builder = ResponseBuilder::default();
        let piece =
            |index, id: Option<&str>, name: Option<&str>, arguments: &str| ChatDelta::ToolCall {
                index,
                id: id.map(str::to_owned),
                name: name.map(str::to_owned),
                arguments: arguments.to_owned(),
            };
        assert!(builder.push(piece(1, None, Some("b"), "{\"x\"")));
        assert!(builder.push(piece(0, Some("id0"), Some("a"), "")));
        assert!(!builder.push(piece(1, None, None, ": 2}")));
        assert!(!builder.push(piece(0, None, None, "{\"y\": 1}")));
        builder.push(ChatDelta::Text("Let me check.".into()));
        builder.push(ChatDelta::Usage(Usage {
            prompt_tokens: 10,
            completion_tokens: 5,
        }));
        let response = builder.finish();
        assert_eq!(response.content.as_deref(), Some("Let me check."));
        assert_eq!(response.finish_reason, FinishReason::ToolCalls);
        assert_eq!(response.usage.map(|u| u.total()), Some(15));
        assert_eq!(
            (
                response.tool_calls[0].id.as_str(),
                response.tool_calls[0].name.as_str()
            ),
            ("id0", "a")
        );
        assert_eq!(response.tool_calls[0].arguments, "{\"y\": 1}");
        assert!(response.tool_calls[1].id.starts_with("call_"));
        assert_eq!(response.tool_calls[1].arguments, "{\"x\": 2}");
    }

    #[test]
    fn the_reply_id_and_model_survive_the_deltas_and_a_retry_renames_them() {
        let reply = ChatResponse::text("Hi")
            .with_usage(Usage {
                prompt_tokens: 3,
                completion_tokens: 1,
            })
            .with_id("chatcmpl-1")
            .with_model("m-2024");
        let deltas = reply.clone().into_deltas();
        assert_eq!(
            deltas[0],
            ChatDelta::Metadata {
                id: Some("chatcmpl-1".into()),
                model: Some("m-2024".into())
            }
        );
        let mut builder = ResponseBuilder::default();
        for delta in deltas {
            builder.push(delta);
        }
        assert_eq!(builder.finish(), reply);

        // A stream retried from the start: the second reply's id, the model kept when
        // the second says none.
        let mut builder = ResponseBuilder::default();
        builder.push(ChatDelta::Metadata {
            id: Some("first".into()),
            model: Some("m".into()),
        });
        builder.push(ChatDelta::Metadata {
            id: Some("second".into()),
            model: None,
        });
        let reply = builder.finish();
        assert_eq!(
            (reply.id.as_deref(), reply.model.as_deref()),
            (Some("second"), Some("m"))
        );
        // None said: none, and a reply without them has no such delta.
        assert_eq!(ResponseBuilder::default().finish().id, None);
        assert!(!ChatResponse::text("x")
            .into_deltas()
            .iter()
            .any(|delta| matches!(delta, ChatDelta::Metadata { .. })));
    }

    #[test]
    fn usage_from_the_network_saturates() {
        let huge = Usage {
            prompt_tokens: u64::MAX,
            completion_tokens: u64::MAX,
        };
        assert_eq!(huge.total(), u64::MAX);
        let mut sum = huge;
        sum += huge;
        assert_eq!(sum, huge);
        let mut builder = ResponseBuilder::default();
        builder.push(ChatDelta::Usage(huge));
        builder.push(ChatDelta::Usage(huge));
        assert_eq!(builder.finish().usage, Some(huge));
    }

    #[test]
    fn finish_reasons_of_every_provider() {
        assert_eq!(FinishReason::parse("tool_use"), FinishReason::ToolCalls);
        assert_eq!(FinishReason::parse("end_turn"), FinishReason::Stop);
        assert_eq!(
            FinishReason::parse("weird"),
            FinishReason::Other("weird".into())
        );
        assert_eq!(
            serde_json::to_string(&FinishReason::ToolCalls).unwrap(),
            "\"tool_calls\""
        );
        assert_eq!(
            serde_json::from_str::<FinishReason>("\"weird\"").unwrap(),
            FinishReason::Other("weird".into())
        );
    }
}

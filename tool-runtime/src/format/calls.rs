//! Tool calls as each provider sends them, and tool outputs as each provider reads them
//! back (docs/providers.md): [`ToolFormat::parse_calls`] and [`ToolFormat::render_outputs`].
//!
//! Parsing is lenient about the container (a whole response, one message, or the bare list
//! of calls) and strict about the calls themselves: a call without a name, or arguments of
//! the wrong JSON type, is a [`CallFormatError`] naming the JSON pointer of the problem.

mod anthropic;
mod gemini;
mod mcp;
mod openai;

use serde_json::{Map, Value};

use crate::call::{local_call_id, ToolCall, ToolOutput, LOCAL_CALL_ID_PREFIX};
use crate::format::ToolFormat;

/// Why a provider's reply could not be read as tool calls, or outputs could not be
/// matched to their calls.
///
/// ```
/// use serde_json::json;
/// use tool_runtime::ToolFormat;
/// use tool_runtime::format::CallFormatError;
///
/// let message = json!({"role": "assistant", "content": [
///     {"type": "text", "text": "Let me look."},
///     {"type": "tool_use", "id": "toolu_1", "name": "get_nickname", "input": "Paris"},
/// ]});
/// let error = ToolFormat::Anthropic.parse_calls(&message).unwrap_err();
/// assert_eq!(error.to_string(), "/content/1/input: expected an object, found a string");
/// assert!(matches!(error, CallFormatError::Malformed { ref pointer, .. } if pointer == "/content/1/input"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallFormatError {
    /// A value of the reply is not what the provider's format has there.
    #[error("{}: expected {expected}, found {found}", shown(.pointer))]
    Malformed {
        /// Where, as a JSON pointer into the reply (`""`, shown as `(root)`, for the
        /// reply itself).
        pointer: String,
        /// What the format has there, e.g. `an object`.
        expected: String,
        /// What the reply has there, e.g. `a string`, or `nothing` when it is missing.
        found: String,
    },
    /// An output answers none of the calls: no call has its `tool_call_id`.
    #[error("output {index} answers call {}, which is none of the calls", Value::from(.tool_call_id.as_str()))]
    UnmatchedOutput {
        /// The output's position in the outputs.
        index: usize,
        /// Its `tool_call_id`.
        tool_call_id: String,
    },
}

/// The root pointer is the empty string, which reads badly at the start of a message.
fn shown(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(root)"
    } else {
        pointer
    }
}

impl ToolFormat {
    /// The start of every id [`parse_calls`](Self::parse_calls) makes for a call the
    /// provider gave none (Gemini often gives none; OpenAI-compatible servers sometimes).
    ///
    /// [`render_outputs`](Self::render_outputs) for Gemini leaves such ids out: an id
    /// Gemini never gave matches none of its calls, and a response without one is matched
    /// by name. Other formats send them back as the call's id.
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::ToolFormat;
    ///
    /// let parts = json!([{"functionCall": {"name": "ping"}}]);
    /// let calls = ToolFormat::Gemini.parse_calls(&parts)?;
    /// assert!(calls[0].id.starts_with(ToolFormat::LOCAL_CALL_ID_PREFIX));
    /// # Ok::<(), tool_runtime::format::CallFormatError>(())
    /// ```
    pub const LOCAL_CALL_ID_PREFIX: &'static str = LOCAL_CALL_ID_PREFIX;

    /// The tool calls in a provider's reply, in the order the model made them.
    ///
    /// Accepted replies, per format:
    /// - `OpenAiChat`: a `chat.completion` (its `choices[0].message`), an assistant message,
    ///   or its `tool_calls` array. `arguments` may be a JSON string or an object (some
    ///   local servers send one); an object becomes its compact JSON text.
    /// - `OpenAiResponses`: a response (its `output`) or the `output` array; the
    ///   `function_call` items are the calls, their `call_id` the call's id.
    /// - `Anthropic`: a message (its `content`) or the content array; the `tool_use`
    ///   blocks are the calls, their `input` an object.
    /// - `Gemini`, `GeminiOpenApi`: a `generateContent` response (`candidates[0]`), a
    ///   content (`parts`), or the parts array; the `functionCall` parts are the calls,
    ///   their `args` an object. Gemini leaves out empty lists, so a missing candidate,
    ///   content or `parts` means no calls.
    /// - `Mcp`: the `params` of a `tools/call` request, or the whole JSON-RPC request (its
    ///   `id` becomes the call's id): one call, its `arguments` an object.
    ///
    /// Missing arguments, `null` or an empty string become `{}`. A missing, `null` or
    /// empty id becomes a fresh one starting with
    /// [`LOCAL_CALL_ID_PREFIX`](Self::LOCAL_CALL_ID_PREFIX). Outputs are matched to calls
    /// by id, so an id two calls share is an error. Other items (text, reasoning,
    /// `thoughtSignature` parts...) are skipped. Arguments that are not valid JSON text
    /// are kept as sent: dispatching them gives the model an error it can correct.
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::{ToolCall, ToolFormat};
    ///
    /// let completion = json!({"object": "chat.completion", "choices": [{"index": 0,
    ///     "message": {"role": "assistant", "content": null, "tool_calls": [
    ///         {"id": "call_1", "type": "function",
    ///          "function": {"name": "get_nickname", "arguments": {"location": "Paris"}}}]},
    ///     "finish_reason": "tool_calls"}]});
    /// assert_eq!(
    ///     ToolFormat::OpenAiChat.parse_calls(&completion)?,
    ///     [ToolCall::new("call_1", "get_nickname", r#"{"location":"Paris"}"#)]
    /// );
    /// # Ok::<(), tool_runtime::format::CallFormatError>(())
    /// ```
    pub fn parse_calls(self, reply: &Value) -> Result<Vec<ToolCall>, CallFormatError> {
        let reply = Node::root(reply);
        match self {
            ToolFormat::OpenAiChat => openai::chat_calls(reply),
            ToolFormat::OpenAiResponses => openai::responses_calls(reply),
            ToolFormat::Anthropic => anthropic::calls(reply),
            ToolFormat::Gemini | ToolFormat::GeminiOpenApi => gemini::calls(reply),
            ToolFormat::Mcp => mcp::call(reply).map(|call| vec![call]),
        }
    }

    /// The outputs, in the given order, in the shape the provider reads them back; each
    /// output answers the call whose id is its `tool_call_id`.
    ///
    /// - `OpenAiChat`: an array of `{"role": "tool", "tool_call_id", "content"}` messages.
    /// - `OpenAiResponses`: an array of `{"type": "function_call_output", "call_id",
    ///   "output"}` input items.
    /// - `Anthropic`: one user message of `{"type": "tool_result", "tool_use_id",
    ///   "content"}` blocks, with `"is_error": true` on failed calls (Anthropic's default is
    ///   false, so successes leave it out).
    /// - `Gemini`, `GeminiOpenApi`: one user content of `{"functionResponse": {"id",
    ///   "name", "response"}}` parts; the name is the call's, the id is left out when
    ///   Gemini gave none (see [`LOCAL_CALL_ID_PREFIX`](Self::LOCAL_CALL_ID_PREFIX)). The
    ///   response is `{"output": ..}`, or `{"error": ..}` for a failed call, holding the
    ///   content as JSON when it is a JSON object or array (what a tool returning a
    ///   `Serialize` struct or list gives), and as the text itself otherwise: a tool's text
    ///   that happens to read as a number or `null` stays text.
    /// - `Mcp`: an array of `tools/call` results `{"content": [{"type": "text", "text"}],
    ///   "isError"}`, one per output, whatever their number (a `tools/call` request has one
    ///   call, so its result is the first).
    ///
    /// # Errors
    ///
    /// [`CallFormatError::UnmatchedOutput`] for an output that answers none of `calls`:
    /// every provider rejects a result for a call it did not make (and Gemini's needs the
    /// call's name).
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::{ToolCall, ToolFormat, ToolOutput};
    ///
    /// let calls = [ToolCall::new("toolu_1", "get_nickname", r#"{"location":"Paris"}"#)];
    /// let outputs = [ToolOutput::success(&calls[0], "City of Light")];
    /// assert_eq!(
    ///     ToolFormat::Anthropic.render_outputs(&calls, &outputs)?,
    ///     json!({"role": "user", "content": [
    ///         {"type": "tool_result", "tool_use_id": "toolu_1", "content": "City of Light"}]})
    /// );
    /// assert_eq!(
    ///     ToolFormat::Gemini.render_outputs(&calls, &outputs)?,
    ///     json!({"role": "user", "parts": [{"functionResponse": {
    ///         "id": "toolu_1", "name": "get_nickname", "response": {"output": "City of Light"}}}]})
    /// );
    /// assert!(ToolFormat::Mcp.render_outputs(&[], &outputs).is_err());
    /// # Ok::<(), tool_runtime::format::CallFormatError>(())
    /// ```
    pub fn render_outputs(
        self,
        calls: &[ToolCall],
        outputs: &[ToolOutput],
    ) -> Result<Value, CallFormatError> {
        let answers = answers(calls, outputs)?;
        Ok(match self {
            ToolFormat::OpenAiChat => openai::chat_outputs(&answers),
            ToolFormat::OpenAiResponses => openai::responses_outputs(&answers),
            ToolFormat::Anthropic => anthropic::outputs(&answers),
            ToolFormat::Gemini | ToolFormat::GeminiOpenApi => gemini::outputs(&answers),
            ToolFormat::Mcp => mcp::outputs(&answers),
        })
    }
}

/// An output with the call it answers.
struct Answer<'a> {
    call: &'a ToolCall,
    output: &'a ToolOutput,
}

/// Each output with its call (the first with its id), in the outputs' order.
fn answers<'a>(
    calls: &'a [ToolCall],
    outputs: &'a [ToolOutput],
) -> Result<Vec<Answer<'a>>, CallFormatError> {
    outputs
        .iter()
        .enumerate()
        .map(|(index, output)| {
            calls
                .iter()
                .find(|call| call.id == output.tool_call_id)
                .map(|call| Answer { call, output })
                .ok_or_else(|| CallFormatError::UnmatchedOutput {
                    index,
                    tool_call_id: output.tool_call_id.clone(),
                })
        })
        .collect()
}

/// A place in a reply: the value there (`None` when there is none) and its JSON pointer.
///
/// The keys walked are this module's literals, none with `~` or `/`, so pointers need no
/// escaping.
#[derive(Clone, Debug)]
struct Node<'a> {
    value: Option<&'a Value>,
    pointer: String,
}

impl<'a> Node<'a> {
    fn root(value: &'a Value) -> Self {
        Self {
            value: Some(value),
            pointer: String::new(),
        }
    }

    /// The member `key` (nothing when this is not an object or lacks it).
    fn get(&self, key: &str) -> Node<'a> {
        Node {
            value: self.value.and_then(|value| value.get(key)),
            pointer: format!("{}/{key}", self.pointer),
        }
    }

    /// This node, unless it is missing or `null`: optional members may be either.
    fn optional(self) -> Option<Node<'a>> {
        match self.value {
            None | Some(Value::Null) => None,
            Some(_) => Some(self),
        }
    }

    /// An error: the format has `expected` here.
    fn expected(&self, expected: &str) -> CallFormatError {
        self.expected_found(expected, describe(self.value))
    }

    fn expected_found(&self, expected: &str, found: String) -> CallFormatError {
        CallFormatError::Malformed {
            pointer: self.pointer.clone(),
            expected: expected.to_owned(),
            found,
        }
    }

    fn object(&self) -> Result<&'a Map<String, Value>, CallFormatError> {
        self.value
            .and_then(Value::as_object)
            .ok_or_else(|| self.expected("an object"))
    }

    /// The items of an array, each with its pointer.
    fn items(&self) -> Result<Vec<Node<'a>>, CallFormatError> {
        let items = self
            .value
            .and_then(Value::as_array)
            .ok_or_else(|| self.expected("an array"))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(index, item)| Node {
                value: Some(item),
                pointer: format!("{}/{index}", self.pointer),
            })
            .collect())
    }

    /// A string with something in it (names, required ids, item types).
    fn text(&self) -> Result<&'a str, CallFormatError> {
        self.value
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .ok_or_else(|| self.expected("a non-empty string"))
    }

    /// An optional id: missing, `null` or empty is none (there is nothing to match an
    /// output by), anything else must be a string.
    fn optional_id(&self) -> Result<Option<&'a str>, CallFormatError> {
        match self.value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(id)) => Ok(Some(id.as_str()).filter(|id| !id.is_empty())),
            Some(_) => Err(self.expected("a string")),
        }
    }

    /// A string that must be `literal` (a `type` or a `method`); the error quotes what
    /// was there instead.
    fn literal(&self, literal: &str) -> Result<(), CallFormatError> {
        match self.value {
            Some(Value::String(text)) if text == literal => Ok(()),
            Some(Value::String(text)) => Err(self.expected_found(
                &Value::from(literal).to_string(),
                Value::from(text.as_str()).to_string(),
            )),
            _ => Err(self.expected(&Value::from(literal).to_string())),
        }
    }

    /// An object as compact JSON text (Anthropic's `input`).
    fn object_text(&self) -> Result<String, CallFormatError> {
        self.object().map(|_| self.compact())
    }

    /// An optional object as compact JSON text, `{}` when missing or `null` (Gemini's
    /// `args`, MCP's `arguments`).
    fn optional_object_text(self) -> Result<String, CallFormatError> {
        self.optional()
            .map_or_else(|| Ok(no_arguments()), |node| node.object_text())
    }

    /// OpenAI's `arguments`: JSON text, or an object (Ollama, llama.cpp) as compact JSON
    /// text; missing, `null` or blank is `{}`.
    fn arguments_text(self) -> Result<String, CallFormatError> {
        match self.value {
            None | Some(Value::Null) => Ok(no_arguments()),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(no_arguments()),
            Some(Value::String(text)) => Ok(text.clone()),
            Some(Value::Object(_)) => Ok(self.compact()),
            Some(_) => Err(self.expected("a JSON string or an object")),
        }
    }

    fn compact(&self) -> String {
        self.value.map(Value::to_string).unwrap_or_default()
    }
}

/// The list a whole reply holds under `key`, or the reply itself when it is that list.
fn list_in<'a>(reply: Node<'a>, key: &str, expected: &str) -> Result<Node<'a>, CallFormatError> {
    match reply.value {
        Some(Value::Array(_)) => Ok(reply),
        Some(Value::Object(_)) => Ok(reply.get(key)),
        _ => Err(reply.expected(expected)),
    }
}

/// The calls among the items of `list` (Responses' output, Anthropic's content): those
/// whose `type` is `kind`, each with the id at `id_key`, which it always has, its `name`,
/// and arguments read by `arguments`. Every item must be an object with a type.
fn typed_calls<'a>(
    list: &Node<'a>,
    kind: &str,
    id_key: &str,
    arguments: impl Fn(&Node<'a>) -> Result<String, CallFormatError>,
) -> Result<Vec<ToolCall>, CallFormatError> {
    let mut calls = Calls::default();
    for item in list.items()? {
        item.object()?;
        if item.get("type").text()? != kind {
            continue;
        }
        let id = item.get(id_key);
        calls.push(
            &id,
            Some(id.text()?),
            item.get("name").text()?,
            arguments(&item)?,
        )?;
    }
    Ok(calls.into_calls())
}

fn no_arguments() -> String {
    "{}".to_owned()
}

/// What a value is, for error messages.
fn describe(value: Option<&Value>) -> String {
    let kind = match value {
        None => "nothing",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Number(_)) => "a number",
        Some(Value::String(text)) if text.is_empty() => "an empty string",
        Some(Value::String(_)) => "a string",
        Some(Value::Array(items)) if items.is_empty() => "an empty array",
        Some(Value::Array(_)) => "an array",
        Some(Value::Object(_)) => "an object",
    };
    kind.to_owned()
}

/// The calls of a reply so far, with where each id was, to name the first holder of an
/// id a later call repeats.
#[derive(Default)]
struct Calls {
    calls: Vec<ToolCall>,
    id_pointers: Vec<String>,
}

impl Calls {
    /// Adds a call with `id` (found at `id_at`), or a local id when it has none.
    fn push(
        &mut self,
        id_at: &Node<'_>,
        id: Option<&str>,
        name: &str,
        arguments: String,
    ) -> Result<(), CallFormatError> {
        let id = match id {
            None => local_call_id(),
            Some(id) => {
                if let Some(earlier) = self.calls.iter().position(|call| call.id == id) {
                    return Err(id_at.expected_found(
                        "an id no other call has",
                        format!("{}, also at {}", Value::from(id), self.id_pointers[earlier]),
                    ));
                }
                id.to_owned()
            }
        };
        self.calls.push(ToolCall::new(id, name, arguments));
        self.id_pointers.push(id_at.pointer.clone());
        Ok(())
    }

    fn into_calls(self) -> Vec<ToolCall> {
        self.calls
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pointers_name_members_and_items() {
        let reply = json!({"content": [{"input": 1}]});
        let items = Node::root(&reply).get("content").items().unwrap();
        let error = items[0].get("input").object().unwrap_err();
        assert_eq!(
            error.to_string(),
            "/content/0/input: expected an object, found a number"
        );
    }

    #[test]
    fn the_root_is_shown_by_name() {
        let error = Node::root(&json!(null)).object().unwrap_err();
        assert_eq!(error.to_string(), "(root): expected an object, found null");
    }

    #[test]
    fn a_repeated_id_names_the_first_holder() {
        let reply = json!([{"id": "a"}, {"id": "a"}]);
        let items = Node::root(&reply).items().unwrap();
        let mut calls = Calls::default();
        calls
            .push(&items[0].get("id"), Some("a"), "x", no_arguments())
            .unwrap();
        let error = calls
            .push(&items[1].get("id"), Some("a"), "x", no_arguments())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"/1/id: expected an id no other call has, found "a", also at /0/id"#
        );
    }

    #[test]
    fn local_ids_differ_and_carry_the_prefix() {
        let (first, second) = (local_call_id(), local_call_id());
        assert_ne!(first, second);
        assert!(first.starts_with("call_local_"), "{first}");
    }

    #[test]
    fn unmatched_output_names_its_position_and_id() {
        let calls = [ToolCall::new("a", "x", "{}")];
        let stray = ToolOutput::success(&ToolCall::new("b", "x", "{}"), "ok");
        let error = ToolFormat::OpenAiChat
            .render_outputs(&calls, &[ToolOutput::success(&calls[0], "ok"), stray])
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"output 1 answers call "b", which is none of the calls"#
        );
    }
}
